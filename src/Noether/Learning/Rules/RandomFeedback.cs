using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning.Rules;

/// <summary>
/// Feedback alignment (Lillicrap et al. 2016; docs/rules.md#feedback-alignment): each layer sends its error down
/// through a fixed random matrix B_l instead of W_lᵀ (via <see cref="Linear{T}.Feedback"/>, stored in
/// W's shape [out, in]), drawn N(0, std²) — by default the law of W_l, N(0, 1/fan_in).
/// </summary>
public sealed class RandomFeedback<T> : LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public RandomFeedback(Sequential<T> network, MemberStreams streams, double std = 0)
    {
        var layers = FeedbackLayers.Of(network);
        Matrices = layers.Select(l => l.Feedback = FeedbackLayers.Random(l, streams, std)).ToArray();
    }

    public override string Name => "fa";

    /// <summary>The fixed feedback matrices, one per layer above the first, in W's shape.</summary>
    public IReadOnlyList<Tensor<T>> Matrices { get; }
}

/// <summary><c>rule=fa</c>.</summary>
public sealed class RandomFeedbackDefinition : RuleDefinition
{
    public override string Name => "fa";
    public override string Description => "feedback alignment: a fixed random B instead of Wᵀ (Lillicrap et al. 2016)";
    public override bool Feedback => true;
    public override IEnumerable<LearningRule<T>> Build<T>(Sequential<T> network, MemberStreams streams, RuleSettings settings) =>
        [new RandomFeedback<T>(network, streams, settings.FeedbackStd)];
}
