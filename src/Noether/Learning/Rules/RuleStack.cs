using System.Numerics;

namespace Noether.Learning.Rules;

/// <summary>
/// An ordered composition of learning rules. Each phase runs the rules in stack order; between
/// <see cref="LearningRule{T}.FormSignal"/> and <see cref="LearningRule{T}.BeforeStep"/> the
/// <see cref="SignalObservers"/> run, when the gradients hold −(learning signal) at the weights and
/// batch of the forward pass (noisy weights included) and the trace is still valid.
/// Canonical order (what <c>RuleConfig.Build</c> makes): input noise, parameter noise, error source
/// (random teacher), error routing (backprop / FA / DFA / sign / plastic feedback), connectivity mask,
/// gradient noise, coupled L2.
/// </summary>
public sealed class RuleStack<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    public RuleStack(IEnumerable<LearningRule<T>> rules) => Rules = rules.ToArray();

    public IReadOnlyList<LearningRule<T>> Rules { get; }

    /// <summary>Called each step after the signal is formed and before decay is added (probes of the learning signal).</summary>
    public List<Action<RuleStep<T>>> SignalObservers { get; } = [];

    /// <summary>The rules' names joined by '+', e.g. "parameter-noise+backprop+l2".</summary>
    public string Name => string.Join("+", Rules.Select(r => r.Name));

    /// <summary>The first rule of type R in the stack, or null.</summary>
    public R? Find<R>() where R : LearningRule<T> => Rules.OfType<R>().FirstOrDefault();

    public void BeforeForward(RuleStep<T> step)
    {
        foreach (var r in Rules) r.BeforeForward(step);
    }

    /// <summary>Forms the signal, lets observers read it, then prepares the optimiser step.</summary>
    public void AfterBackward(RuleStep<T> step)
    {
        foreach (var r in Rules) r.FormSignal(step);
        foreach (var o in SignalObservers) o(step);
        foreach (var r in Rules) r.BeforeStep(step);
    }

    public void AfterUpdate(RuleStep<T> step)
    {
        foreach (var r in Rules) r.AfterUpdate(step);
    }
}
