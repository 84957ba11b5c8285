using System.Numerics;
using Noether.Data;
using Noether.Learning;
using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Training;

/// <summary>
/// Supervised data for a population: inputs X and targets Y, either shared by every member ([N, ...]) or one set per
/// member ([S, N, ...] with member m reading set <see cref="SetOf"/>(m): set m itself, or after <see cref="Expand"/> the
/// set it was mapped to, so conditions of one seed read one copy of the seed's data).
/// </summary>
public sealed class TrainingData<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    // Per member, the set of Inputs/Targets it reads (null: member m reads set m).
    private readonly int[]? _sets;

    public TrainingData(Tensor<T> inputs, Tensor<T> targets, bool perMember = false) : this(inputs, targets, perMember, null) { }

    private TrainingData(Tensor<T> inputs, Tensor<T> targets, bool perMember, int[]? sets)
    {
        int n = perMember ? inputs.Shape[1] : inputs.Shape[0];
        int nt = perMember ? targets.Shape[1] : targets.Shape[0];
        if (n != nt) throw new ShapeMismatchException($"TrainingData: {n} inputs {inputs} but {nt} targets {targets}");
        if (perMember && inputs.Shape[0] != targets.Shape[0]) throw new ShapeMismatchException($"TrainingData: {inputs.Shape[0]} input sets {inputs} but {targets.Shape[0]} target sets {targets}");
        Inputs = inputs; Targets = targets; PerMember = perMember; Count = n; _sets = sets;
    }

    /// <summary>The stored sets ([N, ...] shared, or [S, N, ...] per set); a member's own rows are <see cref="MemberInputs"/>.</summary>
    public Tensor<T> Inputs { get; }
    public Tensor<T> Targets { get; }
    public bool PerMember { get; }
    /// <summary>Samples per member.</summary>
    public int Count { get; }
    public int InputWidth => Inputs.Length / (Count * (PerMember ? Inputs.Shape[0] : 1));
    public int TargetWidth => Targets.Length / (Count * (PerMember ? Targets.Shape[0] : 1));
    /// <summary>Members of per-member data (0 for data every member shares).</summary>
    public int Members => !PerMember ? 0 : _sets?.Length ?? Inputs.Shape[0];

    /// <summary>The stored set member <paramref name="member"/> reads (0 for shared data).</summary>
    public int SetOf(int member) => !PerMember ? 0 : _sets is null ? member : _sets[member];

    /// <summary>Member <paramref name="member"/>'s inputs [N, ...] flattened.</summary>
    public ReadOnlySpan<T> MemberInputs(int member) => PerMember ? Inputs.SliceSpan(SetOf(member)) : Inputs.ReadOnlySpan;

    /// <summary>Member <paramref name="member"/>'s targets [N, ...] flattened.</summary>
    public ReadOnlySpan<T> MemberTargets(int member) => PerMember ? Targets.SliceSpan(SetOf(member)) : Targets.ReadOnlySpan;

    /// <summary>
    /// Copies the rows <paramref name="indices"/> of member p's data into slice p of the batch tensors. The rows
    /// are random reads from data far larger than the caches, so the rows a few indices ahead are prefetched.
    /// </summary>
    public void Gather(int member, ReadOnlySpan<int> indices, Tensor<T> x, Tensor<T> y)
    {
        var src = MemberInputs(member);
        var tsrc = MemberTargets(member);
        var dx = x.SliceSpan(member); var dy = y.SliceSpan(member);
        int wi = InputWidth, wt = TargetWidth;
        for (int i = 0; i < indices.Length; i++)
        {
            if (i + PrefetchDistance < indices.Length)
            {
                int ahead = indices[i + PrefetchDistance];
                RowOps.Prefetch(src.Slice(ahead * wi, wi));
                RowOps.Prefetch(tsrc.Slice(ahead * wt, wt));
            }
            RowOps.CopyShort(src.Slice(indices[i] * wi, wi), dx.Slice(i * wi, wi));
            RowOps.CopyShort(tsrc.Slice(indices[i] * wt, wt), dy.Slice(i * wt, wt));
        }
    }

    /// <summary>How many rows ahead <see cref="Gather"/> prefetches.</summary>
    private const int PrefetchDistance = 16;

    /// <summary>
    /// Per-member data for <paramref name="members"/> members drawn from this per-member data: member m reads the set of
    /// member <paramref name="source"/>(m) (e.g. one set per seed shared by the conditions of that seed). The sets are
    /// shared, not copied, so batches are drawn from as many sets as there are seeds (a few MB that stay in cache instead
    /// of one copy per member). With <paramref name="copy"/>, each member gets its own copy, which <see cref="OwnTargets"/> can change.
    /// </summary>
    public TrainingData<T> Expand(int members, Func<int, int> source, bool copy = false)
    {
        if (!PerMember) throw new InvalidOperationException("TrainingData.Expand: the data is shared by every member already; expected per-member data");
        var sets = Enumerable.Range(0, members).Select(m => SetOf(source(m))).ToArray();
        if (!copy) return new TrainingData<T>(Inputs, Targets, perMember: true, sets);
        var x = new Tensor<T>([members, .. Inputs.Shape[1..]]);
        var y = new Tensor<T>([members, .. Targets.Shape[1..]]);
        for (int m = 0; m < members; m++)
        {
            Inputs.SliceSpan(sets[m]).CopyTo(x.SliceSpan(m));
            Targets.SliceSpan(sets[m]).CopyTo(y.SliceSpan(m));
        }
        return new TrainingData<T>(x, y, perMember: true);
    }

    /// <summary>Member <paramref name="member"/>'s targets to change in place: only for data whose members each have their own set.</summary>
    public Span<T> OwnTargets(int member)
    {
        if (!PerMember || _sets is not null) throw new InvalidOperationException("TrainingData.OwnTargets: the members share their data; expand it with copy: true to change one member's");
        return Targets.SliceSpan(member);
    }
}

/// <summary>
/// The training loop of a population: batch → before-forward hooks (input and parameter noise) →
/// forward (trace kept) → loss → backward → hooks (learning rules, regularisers, noise) → optimiser
/// step → after-update hooks → divergence check. A member whose loss
/// becomes non-finite is frozen (learning rate 0) and marked diverged at that step; the others go on.
/// The loop allocates nothing per step once the buffers for the batch size exist. With no hook to run, a step is one
/// <see cref="PopulationStep{T}"/> (every phase of a member range on one thread), with the same values.
/// </summary>
public sealed partial class Trainer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly BatchSampler[] _samplers;
    // Each member's batch indices (its own slice, so members can be drawn on different threads).
    private readonly int[] _indices;
    private readonly MemberJob _memberJob;
    // With no hook, a whole step runs member range by member range in one hand-off; _draw is Draw, created once.
    private readonly PopulationStep<T> _whole;
    private readonly Action<int, int> _draw;
    private readonly Tensor<T> _x, _y;

    public Trainer(Sequential<T> network, Loss<T> loss, Optimizer<T> optimizer, TrainingData<T> data, int batchSize,
        IReadOnlyList<Rng> batchStreams, Schedule? schedule = null)
    {
        if (batchStreams.Count != network.Members) throw new ArgumentException($"Trainer: {batchStreams.Count} batch streams for {network.Members} members");
        Network = network; Loss = loss; Optimizer = optimizer; Data = data; Schedule = schedule ?? new ConstantSchedule();
        optimizer.Threads = network.Compute.Threads;
        int p = network.Members;
        _samplers = batchStreams.Select(s => new BatchSampler(data.Count, batchSize, s, dropLast: true)).ToArray();
        _indices = new int[p * batchSize];
        _memberJob = new MemberJob(this);
        _whole = new PopulationStep<T>(network, loss, optimizer);
        _draw = Draw;
        _x = Tensor<T>.Aligned([p, batchSize, .. network.InputShape]);
        _y = Tensor<T>.Aligned([p, batchSize, .. network.OutputShape]);
        if (_x.Stride0 / batchSize != data.InputWidth)
            throw new ShapeMismatchException($"Trainer: data inputs have {data.InputWidth} values per sample, the network expects {Tensor<T>.ShapeText(network.InputShape)}");
        if (_y.Stride0 / batchSize != data.TargetWidth)
            throw new ShapeMismatchException($"Trainer: data targets have {data.TargetWidth} values per sample, the network outputs {Tensor<T>.ShapeText(network.OutputShape)}");
        LastLoss = new double[p];
        DivergedAt = Enumerable.Repeat(-1L, p).ToArray();
    }

    public Sequential<T> Network { get; }
    public Loss<T> Loss { get; }
    public Optimizer<T> Optimizer { get; }
    public TrainingData<T> Data { get; }
    public Schedule Schedule { get; }
    public int BatchSize => _x.Shape[1];
    /// <summary>Steps completed.</summary>
    public long Step { get; private set; }
    /// <summary>Minibatch loss of each member at the last step (before the update).</summary>
    public double[] LastLoss { get; }
    /// <summary>Step at which each member's minibatch loss was first not finite, or −1; from then on its parameters are NaN and its learning rate 0.</summary>
    public long[] DivergedAt { get; }
    public Tensor<T> BatchInputs => _x;
    public Tensor<T> BatchTargets => _y;

    /// <summary>Called after the batch is drawn and before the forward pass: input noise, parameter noise, feedback derived from W (sign symmetry).</summary>
    public List<Action<Trainer<T>>> BeforeForward { get; } = [];
    /// <summary>Called after backward and before the update: learning rules replace gradients, regularisers add terms, noise is injected.</summary>
    public List<Action<Trainer<T>>> AfterBackward { get; } = [];
    /// <summary>Called after the update (e.g. parameter noise, Kolen–Pollack feedback updates).</summary>
    public List<Action<Trainer<T>>> AfterUpdate { get; } = [];
    /// <summary>
    /// Called once per step while the gradients hold −(learning signal) before any decay and the batch's trace is
    /// intact: inside a rule stack between its signal and its decay phase, or after the AfterBackward hooks when no
    /// stack runs. <see cref="Step"/> is then the number of updates done, so the weights seen are those after Step updates.
    /// </summary>
    public List<Action<Trainer<T>>> SignalObservers { get; } = [];
    private bool _signalObserved;

    /// <summary>Runs the signal observers, once per step (a rule stack calls it at its signal point; otherwise the trainer does).</summary>
    internal void ObserveSignal()
    {
        if (_signalObserved) return;
        _signalObserved = true;
        foreach (var o in SignalObservers) o(this);
    }

    public void StepOnce()
    {
        Optimizer.LearningRateFactor = Schedule.Factor(Step);
        if (BeforeForward.Count == 0 && AfterBackward.Count == 0 && SignalObservers.Count == 0 && AfterUpdate.Count == 0 && _whole.Applies(BatchSize))
            _whole.Run(_x, _y, LastLoss, _draw);
        else if (OnlyRules() is { } rules && _whole.Applies(BatchSize))
        {
            rules.View.Step = Step;
            _signalObserved = false;
            _whole.Run(_x, _y, LastLoss, _draw, rules.Stack, rules.View);
        }
        else StepByPhase();
        for (int p = 0; p < LastLoss.Length; p++)
        {
            if (DivergedAt[p] < 0 && !double.IsFinite(LastLoss[p]))
            {
                // A diverged member's parameters become NaN, so every later measurement of it reads NaN: arithmetic on
                // overflowed values differs between machines and JIT tiers, NaN propagates the same way everywhere.
                DivergedAt[p] = Step;
                Optimizer.LearningRate[p] = 0;
                foreach (var w in Network.Parameters) w.Value.SliceSpan(p).Fill(T.NaN);
            }
        }
        Step++;
    }

    // The rule stack plugged in by TrainerRules.Use and the hooks it added, so a step whose only hooks they are can run
    // the rules inside the member ranges (PopulationStep) when every rule works member by member.
    private sealed record PluggedRules(RuleStack<T> Stack, RuleStep<T> View, Action<Trainer<T>> BeforeForward, Action<Trainer<T>> AfterBackward, Action<Trainer<T>> AfterUpdate);
    private PluggedRules? _rules;

    /// <summary>Adds the hooks that run <paramref name="stack"/> in every step (see <see cref="TrainerRules.Use"/>); returns the step view the rules see.</summary>
    internal RuleStep<T> Plug(RuleStack<T> stack)
    {
        var view = new RuleStep<T>(Network, Loss, Optimizer, Schedule, BatchInputs, BatchTargets);
        var rules = new PluggedRules(stack, view,
            t => { view.Step = t.Step; stack.BeforeForward(view); },
            t => { view.Step = t.Step; stack.AfterBackward(view); },
            t => { view.Step = t.Step; stack.AfterUpdate(view); });
        BeforeForward.Add(rules.BeforeForward);
        AfterBackward.Add(rules.AfterBackward);
        stack.SignalObservers.Add(_ => ObserveSignal()); // the trainer's observers see the signal before the stack's decay
        AfterUpdate.Add(rules.AfterUpdate);
        _rules ??= rules;
        return view;
    }

    /// <summary>The plugged rule stack when its hooks are the only ones and every rule works member by member, else null.</summary>
    private PluggedRules? OnlyRules() =>
        _rules is { } r && r.Stack.ByMember
        && BeforeForward.Count == 1 && BeforeForward[0] == r.BeforeForward
        && AfterBackward.Count == 1 && AfterBackward[0] == r.AfterBackward
        && AfterUpdate.Count == 1 && AfterUpdate[0] == r.AfterUpdate ? r : null;

    /// <summary>A step phase by phase, each over the whole population, so hooks can run between the phases.</summary>
    private void StepByPhase()
    {
        _memberJob.Run(MemberJob.Part.Draw, Network.Compute.Threads);
        foreach (var hook in BeforeForward) hook(this);
        var output = Network.Forward(_x);
        var grad = Network.OutputGradientBuffer(BatchSize);
        Loss.RequireShapes(output, _y, LastLoss, grad);
        _memberJob.Run(MemberJob.Part.Loss, Network.Compute.Threads, output, grad);
        // With nothing to read or change the gradients before the update, plain SGD's weight steps are done inside the
        // weight-gradient products (the same gradients and new weights; the trace and gradients are kept for AfterUpdate).
        // A population on several threads whose passes cannot split by member keeps its products batched across members.
        if (AfterBackward.Count == 0 && SignalObservers.Count == 0 && Optimizer.IsPlainSgd && Network.SgdFusedMask is { } fused
            && (Network.Members == 1 || Network.Compute.Threads == 1 || Network.RunsByMember(BatchSize)))
        {
            Network.Backward(grad, Optimizer);
            Optimizer.Step(Network.Parameters, fused);
        }
        else
        {
            Network.Backward(grad);
            _signalObserved = false;
            foreach (var hook in AfterBackward) hook(this);
            ObserveSignal();
            Optimizer.Step(Network.Parameters);
        }
        foreach (var hook in AfterUpdate) hook(this);
    }

    /// <summary>Draws members [first, last)'s next batches into the batch tensors.</summary>
    private void Draw(int first, int last)
    {
        int b = BatchSize;
        for (int p = first; p < last; p++)
        {
            var indices = _indices.AsSpan(p * b, b);
            _samplers[p].Next(indices);
            Data.Gather(p, indices, _x, _y);
        }
    }

    /// <summary>
    /// Members' batches are drawn and their losses evaluated one member range per thread (all on the caller with one
    /// thread): each member has its own sampler, index slice and rows, so nothing depends on the split.
    /// </summary>
    private sealed class MemberJob(Trainer<T> trainer) : MemberRangeJob
    {
        public enum Part { Draw, Loss }
        private Part _part;
        private Tensor<T>? _output, _grad;

        public void Run(Part part, int threads, Tensor<T>? output = null, Tensor<T>? grad = null)
        {
            (_part, _output, _grad) = (part, output, grad);
            try { Run(trainer.Network.Members, threads); }
            finally { (_output, _grad) = (null, null); }
        }

        protected override void RunRange(int first, int last)
        {
            if (_part == Part.Draw) trainer.Draw(first, last);
            else trainer.Loss.EvaluateMembers(_output!, trainer._y, trainer.LastLoss, _grad, first, last);
        }
    }

    /// <summary>Runs <paramref name="steps"/> steps, calling <paramref name="probe"/> before the first and after every <paramref name="every"/>-th step and the last.</summary>
    public void Run(long steps, long every, Action<long>? probe = null, CancellationToken cancel = default)
    {
        probe?.Invoke(Step);
        long end = Step + steps;
        while (Step < end)
        {
            cancel.ThrowIfCancellationRequested();
            StepOnce();
            if (probe is not null && (Step % every == 0 || Step == end)) probe(Step);
        }
    }

    /// <summary>Full-data loss per member (no update), in float64, in chunks of the batch buffers' size.</summary>
    public double[] EvaluateLoss(TrainingData<T>? data = null)
    {
        data ??= Data;
        int p = Network.Members, n = data.Count;
        var total = new double[p];
        var lossBuf = new double[p];
        var idx = new int[Math.Min(n, 1024)];
        var x = new Tensor<T>([p, idx.Length, .. Network.InputShape]);
        var y = new Tensor<T>([p, idx.Length, .. Network.OutputShape]);
        for (int start = 0; start < n; start += idx.Length)
        {
            int count = Math.Min(idx.Length, n - start);
            if (count != idx.Length)
            {
                idx = new int[count];
                x = new Tensor<T>([p, count, .. Network.InputShape]);
                y = new Tensor<T>([p, count, .. Network.OutputShape]);
            }
            for (int i = 0; i < count; i++) idx[i] = start + i;
            for (int m = 0; m < p; m++) data.Gather(m, idx, x, y);
            var output = Network.Forward(x);
            Loss.Evaluate(output, y, lossBuf, null);
            for (int m = 0; m < p; m++) total[m] += lossBuf[m] * count;
        }
        for (int m = 0; m < p; m++) total[m] /= n;
        return total;
    }
}
