using System.Numerics;

namespace Noether.Learning.Rules;

/// <summary>
/// syre as the decay phase of a rule stack (docs/experiments/syre.md#how-syre-is-implemented): adds
/// 2γD(w − θ₀) to the gradients in <see cref="LearningRule{T}.BeforeStep"/>, after the stack's signal
/// observers have read the learning signal, like <see cref="CoupledL2{T}"/>. Observers therefore see the same
/// signal whether syre is on or off and wherever it sits in the stack.
/// </summary>
public sealed class SyreDecay<T>(SyreRegularizer<T> regularizer) : LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public override string Name => "syre";

    /// <summary>The offsets θ₀, scales D and per-member γ this phase applies.</summary>
    public SyreRegularizer<T> Regularizer { get; } = regularizer;

    public override void BeforeStepMembers(RuleStep<T> step, int first, int last) => Regularizer.AddGradient(first, last);
}
