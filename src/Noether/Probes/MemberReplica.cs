using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Probes;

/// <summary>
/// A float64 one-member copy of one population member's network, for probes that must evaluate the network at other
/// inputs or other parameters (sharpness, representations on a shared batch) without touching the population being
/// trained: its weights, traces and gradients stay as the trainer left them. Supported: dense layers and the
/// elementwise activations (identity, tanh, relu, sigmoid, leaky relu); other layers make <see cref="TryBuild"/> return null.
/// </summary>
public static class MemberReplica
{
    /// <summary>The one-member float64 copy of <paramref name="network"/>'s member <paramref name="member"/>, or null when a layer is not supported.</summary>
    public static Sequential<double>? TryBuild<T>(Sequential<T> network, int member) where T : unmanaged, IFloatingPointIeee754<T>
    {
        var layers = new List<Layer<double>>();
        foreach (var layer in network.Layers)
        {
            Layer<double>? copy = layer switch
            {
                Linear<T> l => new Linear<double>(1, l.In, l.Out, l.Bias is not null, l.LayerName),
                Identity<T> => new Identity<double>(1),
                Tanh<T> => new Tanh<double>(1),
                Relu<T> => new Relu<double>(1),
                Sigmoid<T> => new Sigmoid<double>(1),
                LeakyRelu<T> r => new LeakyRelu<double>(1, r.Slope),
                _ => null,
            };
            if (copy is null) return null;
            layers.Add(copy);
        }
        var single = new Sequential<double>(1, network.InputShape, layers);
        foreach (var (from, to) in network.Parameters.Zip(single.Parameters))
        {
            var src = from.Value.SliceSpan(member);
            var dst = to.Value.Span;
            for (int i = 0; i < dst.Length; i++) dst[i] = double.CreateChecked(src[i]);
        }
        return single;
    }

    /// <summary>The float64 version of a training loss, or null for a loss this does not know.</summary>
    public static Loss<double>? TryLoss<T>(Loss<T>? loss) where T : unmanaged, IFloatingPointIeee754<T> => loss switch
    {
        MseLoss<T> m => new MseLoss<double>(m.Half, m.MeanOverOutputs),
        SoftmaxCrossEntropyLoss<T> => new SoftmaxCrossEntropyLoss<double>(),
        _ => null,
    };

    /// <summary>
    /// The output of every dense layer (after its activation, [N, out]) of a one-member network on <paramref name="inputs"/>
    /// [N, ...input shape], bottom first.
    /// </summary>
    public static Tensor<double>[] LayerOutputs(Sequential<double> single, Tensor<double> inputs)
    {
        var x = new Tensor<double>([1, .. inputs.Shape]);
        inputs.ReadOnlySpan.CopyTo(x.Span);
        single.Forward(x);
        return single.Trace.Select(t => ProbeView.Rows(MemberSlice.ToDouble(t.Output, 0))).ToArray();
    }
}
