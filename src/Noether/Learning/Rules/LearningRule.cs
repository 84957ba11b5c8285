using System.Numerics;

namespace Noether.Learning.Rules;

/// <summary>
/// One composable piece of how a population forms its weight updates (docs/rules.md#learning-signal-convention): an error source,
/// a way of routing the error down (backprop, random, sign or plastic feedback), noise, a mask or a
/// regulariser. A rule is bound to one network when constructed (it allocates its feedback matrices
/// and masks there) and acts in up to four phases of every training step; a <see cref="RuleStack{T}"/>
/// runs the phases of its rules in stack order.
/// <para>Convention: after <see cref="FormSignal"/> each parameter's Grad holds −g, the negative
/// <em>learning signal</em> (for SGD g = −∇L), without any decay; decay terms are added in
/// <see cref="BeforeStep"/>, so observers in between read the signal the Hebbian papers measure.</para>
/// A rule never logs: experiments observe through <see cref="RuleStack{T}.SignalObservers"/>.
/// </summary>
public abstract class LearningRule<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Short name for reports (e.g. "kp", "parameter-noise").</summary>
    public abstract string Name { get; }

    /// <summary>
    /// Once per step, on the stepping thread, before any phase of any member: size buffers for the batch, bind the step's
    /// inputs. The member-range phases that follow may then run on several threads at once.
    /// </summary>
    public virtual void BeginStep(RuleStep<T> step) { }

    /// <summary>
    /// After the batch is drawn, before the forward pass: perturb inputs or weights, derive feedback from W. A rule that
    /// treats each member on its own overrides <see cref="BeforeForwardMembers"/> instead (and so for every phase).
    /// </summary>
    public virtual void BeforeForward(RuleStep<T> step) => BeforeForwardMembers(step, 0, step.Network.Members);

    /// <summary>After the backward pass: write −(learning signal) into the gradients, update plastic feedback.</summary>
    public virtual void FormSignal(RuleStep<T> step) => FormSignalMembers(step, 0, step.Network.Members);

    /// <summary>After the signal is observed, before the optimiser: undo weight perturbations, mask, add decay.</summary>
    public virtual void BeforeStep(RuleStep<T> step) => BeforeStepMembers(step, 0, step.Network.Members);

    /// <summary>After the optimiser step: keep masked connections at zero.</summary>
    public virtual void AfterUpdate(RuleStep<T> step) => AfterUpdateMembers(step, 0, step.Network.Members);

    /// <summary><see cref="BeforeForward"/> of members [first, last) alone, from their own values only.</summary>
    public virtual void BeforeForwardMembers(RuleStep<T> step, int first, int last) { }

    /// <summary><see cref="FormSignal"/> of members [first, last) alone, from their own values only.</summary>
    public virtual void FormSignalMembers(RuleStep<T> step, int first, int last) { }

    /// <summary><see cref="BeforeStep"/> of members [first, last) alone, from their own values only.</summary>
    public virtual void BeforeStepMembers(RuleStep<T> step, int first, int last) { }

    /// <summary><see cref="AfterUpdate"/> of members [first, last) alone, from their own values only.</summary>
    public virtual void AfterUpdateMembers(RuleStep<T> step, int first, int last) { }

    /// <summary>
    /// Whether every phase of the rule is its member-range form (it overrides none of the whole-population forms), so a
    /// step may run the rule one member range per thread, inside the member ranges of the passes. A rule whose member
    /// forms need something of the network (the random teacher: member passes) overrides this to say when they apply.
    /// </summary>
    public virtual bool ByMember => _byMember ??= new[] { nameof(BeforeForward), nameof(FormSignal), nameof(BeforeStep), nameof(AfterUpdate) }
        .All(phase => GetType().GetMethod(phase, [typeof(RuleStep<T>)])!.DeclaringType == typeof(LearningRule<T>));
    private bool? _byMember;
}
