using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>
/// Symmetric feedback (docs/rules.md#connectivity-mask): every layer above the first sends its error down through
/// B_l = W_lᵀ, copied from W before every forward pass (stored in W's shape). Alone it is backprop; followed by a
/// <see cref="ConnectivityMask{T}"/> it is the topology-matched gradient signal M⊙Wᵀ, the feedback a plastic rule
/// reaches at heterosynaptic stability (φ = 1) when its connections are masked by M.
/// </summary>
public sealed class TransposeFeedback<T> : LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Linear<T>[] _layers;

    public TransposeFeedback(Sequential<T> network)
    {
        _layers = FeedbackLayers.Of(network);
        foreach (var l in _layers) l.Feedback = new Tensor<T>(l.Weight.Value.Shape);
        Copy(0, network.Members);
    }

    public override string Name => "transpose";

    public override void BeforeForwardMembers(RuleStep<T> step, int first, int last) => Copy(first, last);

    /// <summary>Copies members [first, last) of every layer's current W into its feedback matrix.</summary>
    private void Copy(int first, int last)
    {
        foreach (var l in _layers) l.Weight.Value.SliceSpan(first, last).CopyTo(l.Feedback!.SliceSpan(first, last));
    }
}
