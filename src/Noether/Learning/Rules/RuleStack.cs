using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

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
    // Runs FormSignal and BeforeStep one member range per thread when every rule is by member (null otherwise).
    private readonly PhaseJob? _byMember;

    public RuleStack(IEnumerable<LearningRule<T>> rules)
    {
        _rules = rules.ToArray();
        ByMember = _rules.All(r => r.ByMember);
        if (ByMember) _byMember = new PhaseJob(this);
    }

    // The rules as an array: the phases loop over it without an enumerator object per call.
    private readonly LearningRule<T>[] _rules;

    public IReadOnlyList<LearningRule<T>> Rules => _rules;

    /// <summary>
    /// Whether every rule does every phase member by member (<see cref="LearningRule{T}.ByMember"/>): the phases of a
    /// member range (<see cref="BeforeForwardMembers"/> …) then give every member the values of the whole phases.
    /// </summary>
    public bool ByMember { get; }

    /// <summary>Called each step after the signal is formed and before decay is added (probes of the learning signal).</summary>
    public List<Action<RuleStep<T>>> SignalObservers { get; } = [];

    /// <summary>The rules' names joined by '+', e.g. "parameter-noise+backprop+l2".</summary>
    public string Name => string.Join("+", Rules.Select(r => r.Name));

    /// <summary>The first rule of type R in the stack, or null.</summary>
    public R? Find<R>() where R : LearningRule<T> => Rules.OfType<R>().FirstOrDefault();

    /// <summary>Every rule's <see cref="LearningRule{T}.BeginStep"/>, then every rule's BeforeForward (the first phase of a step).</summary>
    public void BeforeForward(RuleStep<T> step)
    {
        BeginStep(step);
        foreach (var r in _rules) r.BeforeForward(step);
    }

    /// <summary>Every rule's <see cref="LearningRule{T}.BeginStep"/>, on this thread, before a step's member ranges.</summary>
    public void BeginStep(RuleStep<T> step)
    {
        foreach (var r in _rules) r.BeginStep(step);
    }

    /// <summary>
    /// Forms the signal, lets observers read it, then prepares the optimiser step. When every rule is by member, each
    /// of the two phases runs one member range per thread (the ranges of the network's passes, so each thread changes the
    /// gradients it computed), all rules in stack order for each range: every member's values are those of the serial phases.
    /// </summary>
    public void AfterBackward(RuleStep<T> step)
    {
        bool split = _byMember is not null && _byMember.Worth(step.Network);
        if (split) _byMember!.Run(step, signal: true);
        else foreach (var r in _rules) r.FormSignal(step);
        Observe(step);
        if (split) _byMember!.Run(step, signal: false);
        else foreach (var r in _rules) r.BeforeStep(step);
    }

    /// <summary>Runs the signal observers (once per step, after the signal of every member is formed).</summary>
    public void Observe(RuleStep<T> step)
    {
        foreach (var o in SignalObservers) o(step);
    }

    public void AfterUpdate(RuleStep<T> step)
    {
        foreach (var r in _rules) r.AfterUpdate(step);
    }

    /// <summary>Every rule's <see cref="LearningRule{T}.BeforeForwardMembers"/> on members [first, last), in stack order (by-member stacks only).</summary>
    public void BeforeForwardMembers(RuleStep<T> step, int first, int last)
    {
        foreach (var r in _rules) r.BeforeForwardMembers(step, first, last);
    }

    /// <summary>Every rule's <see cref="LearningRule{T}.FormSignalMembers"/> on members [first, last), in stack order.</summary>
    public void FormSignalMembers(RuleStep<T> step, int first, int last)
    {
        foreach (var r in _rules) r.FormSignalMembers(step, first, last);
    }

    /// <summary>Every rule's <see cref="LearningRule{T}.BeforeStepMembers"/> on members [first, last), in stack order.</summary>
    public void BeforeStepMembers(RuleStep<T> step, int first, int last)
    {
        foreach (var r in _rules) r.BeforeStepMembers(step, first, last);
    }

    /// <summary>Every rule's <see cref="LearningRule{T}.AfterUpdateMembers"/> on members [first, last), in stack order.</summary>
    public void AfterUpdateMembers(RuleStep<T> step, int first, int last)
    {
        foreach (var r in _rules) r.AfterUpdateMembers(step, first, last);
    }

    private sealed class PhaseJob(RuleStack<T> stack) : MemberRangeJob
    {
        private RuleStep<T>? _step;
        private bool _signal;
        private long _memberBytes = -1;

        /// <summary>Whether the network's members are worth a thread hand-off (parameter bytes per member, counted once).</summary>
        public bool Worth(Sequential<T> net)
        {
            if (_memberBytes < 0) _memberBytes = net.Parameters.Sum(p => (long)p.MemberLength) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
            return Worth(net.Compute, net.Members, _memberBytes);
        }

        public void Run(RuleStep<T> step, bool signal)
        {
            (_step, _signal) = (step, signal);
            try { Run(step.Network.Members, step.Network.Compute.Threads); }
            finally { _step = null; }
        }

        protected override void RunRange(int first, int last)
        {
            if (_signal) stack.FormSignalMembers(_step!, first, last);
            else stack.BeforeStepMembers(_step!, first, last);
        }
    }
}
