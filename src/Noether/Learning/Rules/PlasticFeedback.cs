using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>
/// Plastic feedback synapses updated by a local heterosynaptic outer-product rule. With the feedback
/// stored in W's shape (F = Bᵀ = Vᵀ), each step
/// <c>F ← F − η (c · δ_l h_{l−1}ᵀ + λ_F F)</c>, where δ_l h_{l−1}ᵀ is the very product that forms W_l's
/// gradient (the pre-activation error from the descending stream times the presynaptic activity from the
/// ascending one) and η is the step size W_l gets at this step.
/// <list type="bullet">
/// <item><see cref="KolenPollack"/>: c = 1 and λ_F = W's decay λ, so W − Bᵀ ← (1 − ηλ)(W − Bᵀ) exactly
/// (the self-assembly identity, docs/experiments/self-assembly.md#protocol): random feedback becomes Wᵀ at rate ηλ.</item>
/// <item><see cref="Dendritic"/>: the dendritic weights V of docs/experiments/heterosynaptic.md#protocol, ΔV = −η(c·h eᵀ + λ_V V);
/// at heterosynaptic stability V → (c λ/λ_V)·Wᵀ, a consistency score φ = cλ/λ_V whose sign is sign(c).</item>
/// </list>
/// The identity is exact for plain SGD (no momentum): the rule applies the SGD form whatever the optimiser.
/// </summary>
public sealed class PlasticFeedback<T> : LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Linear<T>[] _layers;

    /// <param name="network">The network whose layers above the first get plastic feedback.</param>
    /// <param name="streams">Member streams; the initial feedback of layer l comes from "rule.feedback.{l}".</param>
    /// <param name="coefficient">c per member.</param>
    /// <param name="decay">λ_F per member.</param>
    /// <param name="std">Initial feedback std; 0 = the law of W (N(0, 1/fan_in)), independent of W.</param>
    /// <param name="name">Name for reports.</param>
    public PlasticFeedback(Sequential<T> network, MemberStreams streams, double[] coefficient, double[] decay, double std = 0, string name = "plastic-feedback")
    {
        _layers = FeedbackLayers.Of(network);
        Coefficient = FeedbackLayers.PerMember(coefficient, 0, network.Members, "PlasticFeedback coefficient");
        Decay = FeedbackLayers.PerMember(decay, 0, network.Members, "PlasticFeedback decay");
        Name = name;
        Matrices = _layers.Select(l => l.Feedback = FeedbackLayers.Random(l, streams, std)).ToArray();
    }

    /// <summary>Kolen–Pollack: the same local rule and the same decay λ (per member) as the forward weights.</summary>
    public static PlasticFeedback<T> KolenPollack(Sequential<T> network, MemberStreams streams, double[] decay, double std = 0) =>
        new(network, streams, Enumerable.Repeat(1.0, network.Members).ToArray(), decay, std, "kp");

    /// <summary>The dendritic/heterosynaptic rule of docs/experiments/heterosynaptic.md#protocol with coefficient c and decay λ_V per member.</summary>
    public static PlasticFeedback<T> Dendritic(Sequential<T> network, MemberStreams streams, double[] coefficient, double[] decay, double std = 0) =>
        new(network, streams, coefficient, decay, std, "dendritic");

    public override string Name { get; }
    /// <summary>c per member.</summary>
    public double[] Coefficient { get; }
    /// <summary>λ_F per member.</summary>
    public double[] Decay { get; }
    /// <summary>The plastic feedback matrices (W's shape), one per layer above the first.</summary>
    public IReadOnlyList<Tensor<T>> Matrices { get; }

    public override void FormSignalMembers(RuleStep<T> step, int first, int last)
    {
        foreach (var l in _layers)
        {
            var f = l.Feedback!;
            for (int p = first; p < last; p++)
            {
                double lr = step.LearningRate(p);
                if (lr == 0) continue;
                // Written like the SGD update θ −= η(g + λθ), so c = 1 and equal λ move F and W by bitwise-equal steps.
                RowOps.ScaledSgdStep(l.Weight.Grad.SliceSpan(p), f.SliceSpan(p), T.CreateChecked(lr), T.CreateChecked(Decay[p]), T.CreateChecked(Coefficient[p]));
            }
        }
    }
}

/// <summary><c>rule=kp</c>.</summary>
public sealed class KolenPollackDefinition : RuleDefinition
{
    public override string Name => "kp";
    public override string Description => "Kolen–Pollack: B takes W's update and decay, so it converges to Wᵀ";
    public override bool Feedback => true;
    public override IEnumerable<LearningRule<T>> Build<T>(Sequential<T> network, MemberStreams streams, RuleSettings settings) =>
        [PlasticFeedback<T>.KolenPollack(network, streams, settings.L2, settings.FeedbackStd)];
}

/// <summary><c>rule=dendritic</c>.</summary>
public sealed class DendriticDefinition : RuleDefinition
{
    public override string Name => "dendritic";
    public override string Description => "heterosynaptic dendritic feedback ΔV = −η(c·h eᵀ + λ_V V) (docs/experiments/heterosynaptic.md#protocol)";
    public override bool Feedback => true;
    public override IEnumerable<LearningRule<T>> Build<T>(Sequential<T> network, MemberStreams streams, RuleSettings settings) =>
        [PlasticFeedback<T>.Dendritic(network, streams, settings.Coefficient, settings.FeedbackDecay, settings.FeedbackStd)];
}
