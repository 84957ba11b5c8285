using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>
/// Direct feedback alignment (Nøkland 2016; docs/rules.md#direct-feedback-alignment): every hidden layer receives the output error e
/// straight through a fixed random matrix D_l, δ_l = (D_lᵀ e) ⊙ f'(a_l) (D_l stored [out_net, n_l],
/// N(0, std²), by default N(0, 1/n_l), the law of the next layer's W). The output layer keeps its true
/// gradient. The hidden errors are written into the trace (GradPreActivation), so probes read the DFA error.
/// </summary>
public sealed class DirectRandomFeedback<T> : LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Activation<T>?[] _activations;
    private readonly Tensor<T>[] _matrices;
    private Tensor<T>[] _routed = [];

    public DirectRandomFeedback(Sequential<T> network, MemberStreams streams, double std = 0)
    {
        var linears = network.Linears.ToArray();
        if (linears.Length < 2) throw new ArgumentException("direct feedback alignment needs at least one hidden dense layer");
        int nOut = linears[^1].Out;
        var hidden = linears[..^1];
        _activations = new Activation<T>?[hidden.Length];
        _matrices = new Tensor<T>[hidden.Length];
        for (int k = 0; k < hidden.Length; k++)
        {
            int at = IndexOf(network, hidden[k]) + 1;
            var next = at < network.Layers.Count ? network.Layers[at] : null;
            _activations[k] = next switch
            {
                Activation<T> a => a,
                Linear<T> => null,
                _ => throw new ArgumentException($"direct feedback alignment: layer after {hidden[k].Name} is {next?.Name}; expected an elementwise activation or a dense layer"),
            };
            var d = new Tensor<T>(network.Members, nOut, hidden[k].Out);
            double s = std > 0 ? std : 1 / Math.Sqrt(hidden[k].Out);
            for (int p = 0; p < network.Members; p++)
                streams(p, "rule.dfa." + hidden[k].LayerName).FillNormal(d.SliceSpan(p), 0, s);
            _matrices[k] = d;
        }
        // Backprop would overwrite nothing we need, but the layer feedback must not be a stale FA matrix.
        foreach (var l in linears) l.Feedback = null;
    }

    public override string Name => "dfa";

    /// <summary>D_l [P, out_net, n_l] for each hidden dense layer, bottom first.</summary>
    public IReadOnlyList<Tensor<T>> Matrices => _matrices;

    /// <summary>Sizes the routed-error buffers for the step's batch.</summary>
    public override void BeginStep(RuleStep<T> step)
    {
        int members = step.Network.Members, batch = step.Inputs.Shape[1];
        if (_routed.Length == 0 || _routed[0].Shape[1] != batch)
            _routed = _matrices.Select(d => new Tensor<T>(members, batch, d.Shape[2])).ToArray();
    }

    /// <summary>Each member of [first, last) on its own: its products, error derivative and bias sum, whatever the range.</summary>
    public override void FormSignalMembers(RuleStep<T> step, int first, int last)
    {
        var trace = step.Network.Trace;
        var e = trace[^1].GradPreActivation;
        int batch = e.Shape[1], nOut = e.Shape[2];
        if (_routed.Length == 0 || _routed[0].Shape[1] != batch)
            throw new InvalidOperationException($"DirectRandomFeedback: no buffers for batch {batch}; BeginStep sizes them before a step's member ranges");
        for (int k = 0; k < _matrices.Length; k++)
        {
            var t = trace[k];
            int n = t.Layer.Out, nIn = t.Layer.In;
            var routed = _routed[k];
            var delta = t.GradPreActivation;
            for (int p = first; p < last; p++)
            {
                // D_lᵀe for every sample: [B, out]·[out, n].
                Gemm.Multiply(false, false, batch, n, nOut, e.SliceSpan(p)[..(batch * nOut)], _matrices[k].SliceSpan(p), routed.SliceSpan(p));
                var dp = delta.SliceSpan(p)[..(batch * n)];
                if (_activations[k] is { } act) act.Derivative(t.PreActivation.SliceSpan(p)[..(batch * n)], t.Output.SliceSpan(p)[..(batch * n)], routed.SliceSpan(p), dp);
                else routed.SliceSpan(p).CopyTo(dp);
                // ∂W = δᵀ h_a (the 1/B of the batch mean is already inside e).
                Gemm.Multiply(true, false, n, nIn, batch, dp, t.Input.SliceSpan(p)[..(batch * nIn)], t.Layer.Weight.Grad.SliceSpan(p));
                if (t.Layer.Bias is { } bias) RowOps.SumRows(dp, bias.Grad.SliceSpan(p));
            }
        }
    }

    private static int IndexOf(Sequential<T> network, Layer<T> layer)
    {
        for (int i = 0; i < network.Layers.Count; i++)
            if (ReferenceEquals(network.Layers[i], layer)) return i;
        return -1;
    }
}

/// <summary><c>rule=dfa</c>.</summary>
public sealed class DirectRandomFeedbackDefinition : RuleDefinition
{
    public override string Name => "dfa";
    public override string Description => "direct feedback alignment: the output error reaches each hidden layer through its own fixed random matrix (Nøkland 2016)";
    public override IEnumerable<LearningRule<T>> Build<T>(Sequential<T> network, MemberStreams streams, RuleSettings settings) =>
        [new DirectRandomFeedback<T>(network, streams, settings.FeedbackStd)];
}
