using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>How sign-symmetric feedback is scaled.</summary>
public enum SignScale
{
    /// <summary>B = sign(W): every entry ±1 (Liao, Leibo, Poggio 2016).</summary>
    Unit,
    /// <summary>B = mean|W|·sign(W) per member and layer, so the error keeps the scale backprop would give it.</summary>
    MeanAbs,
}

/// <summary>
/// Sign symmetry (Liao, Leibo, Poggio 2016; docs/rules.md#sign-symmetry): the error goes down through
/// sign(W_lᵀ) — only the signs of the forward weights are shared. Refreshed from W before every forward pass.
/// </summary>
public sealed class SignFeedback<T> : LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Linear<T>[] _layers;

    public SignFeedback(Sequential<T> network, SignScale scale = SignScale.MeanAbs)
    {
        _layers = FeedbackLayers.Of(network);
        Scale = scale;
        foreach (var l in _layers) l.Feedback = new Tensor<T>(l.Weight.Value.Shape);
        Refresh(0, network.Members);
    }

    public override string Name => "sign";
    public SignScale Scale { get; }

    public override void BeforeForwardMembers(RuleStep<T> step, int first, int last) => Refresh(first, last);

    /// <summary>Sets every member's feedback matrices to (scale ×) sign(W) from the current weights.</summary>
    public void Refresh() => Refresh(0, _layers[0].Members);

    /// <summary>Sets members [first, last)'s feedback matrices to (scale ×) sign(W) from their current weights.</summary>
    public void Refresh(int first, int last)
    {
        foreach (var l in _layers)
        {
            var b = l.Feedback!;
            for (int p = first; p < last; p++)
            {
                var w = l.Weight.Value.SliceSpan(p);
                var bp = b.SliceSpan(p);
                T s = T.One;
                if (Scale == SignScale.MeanAbs)
                {
                    double sum = 0;
                    foreach (var v in w) sum += Math.Abs(double.CreateChecked(v));
                    s = T.CreateChecked(w.Length == 0 ? 0 : sum / w.Length);
                }
                for (int i = 0; i < w.Length; i++) bp[i] = T.CreateChecked(T.Sign(w[i])) * s;
            }
        }
    }
}

/// <summary><c>rule=sign</c>.</summary>
public sealed class SignFeedbackDefinition : RuleDefinition
{
    public override string Name => "sign";
    public override string Description => "sign symmetry: B = sign(W)ᵀ, scaled by mean|W| or 1 (rule.sign_scale)";
    public override bool Feedback => true;
    public override IEnumerable<LearningRule<T>> Build<T>(Sequential<T> network, MemberStreams streams, RuleSettings settings) =>
        [new SignFeedback<T>(network, settings.SignScale)];
}
