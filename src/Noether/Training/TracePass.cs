using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Training;

/// <summary>
/// One forward and backward pass of every population member over the first n examples of its data, outside
/// the training loop, for probes that need per-example statistics (gradient balance, CRH matrices): afterwards
/// <see cref="Sequential{T}.Trace"/> holds every dense layer's h_a, h_b and g_b on those examples. Parameters and
/// optimiser state are untouched; the parameter gradients are overwritten (a trainer recomputes them at its next step).
/// </summary>
public static class TracePass
{
    /// <summary>Runs the pass on examples 0..n−1 of each member's data; returns each member's loss on them.</summary>
    public static double[] Run<T>(Sequential<T> net, Loss<T> loss, TrainingData<T> data, int n)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        int p = net.Members;
        var idx = Enumerable.Range(0, n).ToArray();
        var x = new Tensor<T>(p, n, data.InputWidth);
        var y = new Tensor<T>(p, n, data.TargetWidth);
        for (int m = 0; m < p; m++) data.Gather(m, idx, x, y);
        var output = net.Forward(x);
        var grad = net.OutputGradientBuffer(n);
        var losses = new double[p];
        loss.Evaluate(output, y, losses, grad);
        net.Backward(grad);
        return losses;
    }
}
