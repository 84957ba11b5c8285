using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Learning;

/// <summary>
/// Updates parameters from their gradients, with a learning rate and weight decay per population
/// member. Weight decay follows the PyTorch convention: the coefficient wd multiplies θ in the
/// gradient (g + wd·θ), i.e. the penalty (wd/2)‖θ‖²; the symmetry papers' γ‖θ‖² is wd = 2γ.
/// </summary>
public abstract class Optimizer<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    protected Optimizer(int members, double learningRate, double weightDecay)
    {
        LearningRate = Enumerable.Repeat(learningRate, members).ToArray();
        WeightDecay = Enumerable.Repeat(weightDecay, members).ToArray();
    }

    /// <summary>Per-member learning rates (before the schedule factor); set an entry to 0 to freeze a member.</summary>
    public double[] LearningRate { get; }
    /// <summary>Per-member weight-decay coefficients.</summary>
    public double[] WeightDecay { get; }
    /// <summary>Multiplies every learning rate (set by a schedule each step).</summary>
    public double LearningRateFactor { get; set; } = 1.0;
    /// <summary>Whether biases and other non-weight parameters are decayed too.</summary>
    public bool DecayNonWeights { get; set; } = true;
    /// <summary>Updates done so far.</summary>
    public long Steps { get; protected set; }

    /// <summary>
    /// Threads the update may use (the trainer sets it from the network's <see cref="Tensors.Compute"/>). Each
    /// element's update is independent, so splitting the parameters into ranges changes no value.
    /// </summary>
    public int Threads { get; set; } = 1;

    private StepJob? _job;

    /// <summary>
    /// One update of every parameter, except those marked in <paramref name="alreadyUpdated"/> (by index: stepped inside
    /// their gradient product during the backward pass, see <see cref="IsPlainSgd"/>).
    /// </summary>
    public void Step(IReadOnlyList<Parameter<T>> parameters, bool[]? alreadyUpdated = null)
    {
        Begin(parameters);
        long total = 0;
        for (int i = 0; i < parameters.Count; i++) if (alreadyUpdated is null || !alreadyUpdated[i]) total += parameters[i].Value.Length;
        // Below this many values a thread hand-off costs more than the update.
        if (Threads > 1 && total >= 1 << 16) { (_job ??= new StepJob(this)).Run(parameters, alreadyUpdated, Threads); return; }
        Update(parameters, alreadyUpdated, 0, 1);
    }

    /// <summary>
    /// The serial start of a step whose update runs member range by member range (<see cref="UpdateMembers"/>): counts
    /// the step and creates any state the parameters need.
    /// </summary>
    public void Begin(IReadOnlyList<Parameter<T>> parameters)
    {
        Steps++;
        for (int i = 0; i < parameters.Count; i++) Prepare(i, parameters[i]);
    }

    /// <summary>
    /// Updates members [first, last) of every parameter, after <see cref="Begin"/>, except those marked in
    /// <paramref name="alreadyUpdated"/> (by parameter index: stepped inside their gradient product, see
    /// <see cref="IsPlainSgd"/>); each member's values do not depend on the range.
    /// </summary>
    public void UpdateMembers(IReadOnlyList<Parameter<T>> parameters, int first, int last, bool[]? alreadyUpdated = null)
    {
        for (int i = 0; i < parameters.Count; i++)
            if (alreadyUpdated is null || !alreadyUpdated[i]) UpdateRange(i, parameters[i], first, last, 0, parameters[i].MemberLength);
    }

    /// <summary>
    /// Whether the update is the stateless plain SGD step θ ← θ − lr·(g + wd·θ) of <see cref="Tensors.RowOps.SgdStep"/>
    /// with the rates of <see cref="StepRates"/>, so a layer may do it inside its weight-gradient product
    /// (<see cref="Tensors.Gemm.MultiplyThenSgd"/>) with the same values.
    /// </summary>
    public virtual bool IsPlainSgd => false;

    /// <summary>
    /// Whether a weight step done inside its gradient product (<see cref="IsPlainSgd"/>) still stores the gradient in
    /// <see cref="Parameter{T}.Grad"/> (default true). With false the product adds straight into the weights, as PyTorch's
    /// hand-written batched step does: the weights get the same values, one pass of writes the size of the weights is
    /// saved (a population's gradients seldom fit in cache), and those parameters' gradients are unspecified after the
    /// step. Set it false only when nothing reads them; steps not fused into a product always store their gradients.
    /// </summary>
    public bool KeepGradients { get; set; } = true;

    /// <summary>The learning rate and weight decay of member <paramref name="member"/>'s step on <paramref name="prm"/> (lr 0: frozen, not updated).</summary>
    public (double Lr, double Wd) StepRates(Parameter<T> prm, int member) =>
        (LearningRate[member] * LearningRateFactor, prm.Role == ParameterRole.Weight || DecayNonWeights ? WeightDecay[member] : 0);

    private void UpdateRange(int index, Parameter<T> prm, int first, int last, int start, int end)
    {
        for (int p = first; p < last; p++)
        {
            var (lr, wd) = StepRates(prm, p);
            if (lr == 0) continue;
            Update(index, prm, p, start, end - start, lr, wd);
        }
    }

    /// <summary>
    /// Part <paramref name="part"/> of <paramref name="parts"/>: with at least one member per part, that share of the
    /// members (the ranges a population's passes run per thread, so each thread updates the values it computed
    /// gradients for and keeps them in its own cache); otherwise that share of every (parameter, member) range,
    /// 16-value aligned. Each value's update does not depend on the split.
    /// </summary>
    private void Update(IReadOnlyList<Parameter<T>> parameters, bool[]? alreadyUpdated, int part, int parts)
    {
        for (int i = 0; i < parameters.Count; i++)
        {
            if (alreadyUpdated is not null && alreadyUpdated[i]) continue;
            var prm = parameters[i];
            int length = prm.MemberLength, members = prm.Members;
            bool byMember = members >= parts;
            int first = byMember ? (int)((long)part * members / parts) : 0, last = byMember ? (int)((long)(part + 1) * members / parts) : members;
            int start = byMember ? 0 : (int)((long)length * part / parts) & ~15;
            int end = byMember || part == parts - 1 ? length : (int)((long)length * (part + 1) / parts) & ~15;
            if (end > start) UpdateRange(i, prm, first, last, start, end);
        }
    }

    /// <summary>Creates any state parameter <paramref name="index"/> needs (called on one thread before the update runs).</summary>
    protected virtual void Prepare(int index, Parameter<T> parameter) { }

    /// <summary>Updates values [start, start + count) of member <paramref name="member"/> of parameter <paramref name="index"/>.</summary>
    protected abstract void Update(int index, Parameter<T> parameter, int member, int start, int count, double lr, double wd);

    private sealed class StepJob(Optimizer<T> optimizer) : Tensors.ParallelJob
    {
        private IReadOnlyList<Parameter<T>>? _parameters;
        private bool[]? _alreadyUpdated;
        private int _parts;

        public void Run(IReadOnlyList<Parameter<T>> parameters, bool[]? alreadyUpdated, int threads)
        {
            (_parameters, _alreadyUpdated, _parts) = (parameters, alreadyUpdated, threads);
            try { Tensors.WorkerPool.Run(this, threads, threads); }
            finally { (_parameters, _alreadyUpdated) = (null, null); }
        }

        public override bool KeepsBlocksOnThreads => true;

        public override void RunPart(int part) => optimizer.Update(_parameters!, _alreadyUpdated, part, _parts);
    }

    /// <summary>Named state tensors (momentum, Adam moments) for checkpoints.</summary>
    public virtual IEnumerable<(string Name, T[] Values)> State => [];

    /// <summary>Restores a checkpoint: the update count and the named arrays <see cref="State"/> listed.</summary>
    public void RestoreState(long steps, IEnumerable<(string Name, T[] Values)> state)
    {
        Steps = steps;
        foreach (var (name, values) in state) RestoreState(name, (T[])values.Clone());
    }

    /// <summary>Takes back one array named as in <see cref="State"/>.</summary>
    protected virtual void RestoreState(string name, T[] values) =>
        throw new InvalidDataException($"{GetType().Name}: checkpoint has optimizer state '{name}', which this optimizer does not keep");

    /// <summary>The parameter index in a state name such as "velocity3" (its prefix given).</summary>
    protected static int StateIndex(string name, string prefix) =>
        name.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(name.AsSpan(prefix.Length), System.Globalization.CultureInfo.InvariantCulture, out int i)
            ? i : throw new InvalidDataException($"optimizer state '{name}': expected {prefix}<parameter index>");
}

/// <summary>SGD with coupled L2 and optional heavy-ball momentum (PyTorch form: v ← μv + g + wd·θ; θ ← θ − lr·v).</summary>
public sealed class Sgd<T>(int members, double learningRate, double weightDecay = 0, double momentum = 0) : Optimizer<T>(members, learningRate, weightDecay)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Dictionary<int, T[]> _velocity = new();
    public double Momentum { get; } = momentum;

    public override bool IsPlainSgd => Momentum == 0;

    protected override void Prepare(int index, Parameter<T> prm)
    {
        if (Momentum != 0 && !_velocity.ContainsKey(index)) _velocity[index] = new T[prm.Value.Length];
    }

    protected override void Update(int index, Parameter<T> prm, int member, int start, int count, double lr, double wd)
    {
        var theta = prm.Value.SliceSpan(member).Slice(start, count);
        var g = prm.Grad.SliceSpan(member).Slice(start, count);
        T tlr = T.CreateChecked(lr), twd = T.CreateChecked(wd);
        if (Momentum == 0) { RowOps.SgdStep<T>(g, theta, tlr, twd); return; }
        var vs = _velocity[index].AsSpan(member * prm.MemberLength + start, count);
        T mu = T.CreateChecked(Momentum);
        for (int i = 0; i < theta.Length; i++)
        {
            vs[i] = mu * vs[i] + g[i] + twd * theta[i];
            theta[i] -= tlr * vs[i];
        }
    }

    public override IEnumerable<(string Name, T[] Values)> State => _velocity.OrderBy(k => k.Key).Select(k => ($"velocity{k.Key}", k.Value));

    protected override void RestoreState(string name, T[] values) => _velocity[StateIndex(name, "velocity")] = values;
}

/// <summary>
/// Adam (Kingma &amp; Ba) with bias correction. Coupled: wd·θ is added to the gradient (Adam + L2);
/// decoupled (AdamW, Loshchilov &amp; Hutter): θ ← θ − lr·wd·θ separately from the adaptive step.
/// </summary>
public sealed class Adam<T>(int members, double learningRate, double weightDecay = 0, bool decoupled = false,
    double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8) : Optimizer<T>(members, learningRate, weightDecay)
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Dictionary<int, (T[] M, T[] V)> _moments = new();
    public bool Decoupled { get; } = decoupled;

    protected override void Prepare(int index, Parameter<T> prm)
    {
        if (!_moments.ContainsKey(index)) _moments[index] = (new T[prm.Value.Length], new T[prm.Value.Length]);
    }

    protected override void Update(int index, Parameter<T> prm, int member, int start, int count, double lr, double wd)
    {
        var mv = _moments[index];
        var theta = prm.Value.SliceSpan(member).Slice(start, count);
        var g = prm.Grad.SliceSpan(member).Slice(start, count);
        var m = mv.M.AsSpan(member * prm.MemberLength + start, count);
        var v = mv.V.AsSpan(member * prm.MemberLength + start, count);
        double c1 = 1 - Math.Pow(beta1, Steps), c2 = 1 - Math.Pow(beta2, Steps);
        T b1 = T.CreateChecked(beta1), b2 = T.CreateChecked(beta2), ob1 = T.One - b1, ob2 = T.One - b2;
        T stepSize = T.CreateChecked(lr / c1), sc2 = T.CreateChecked(1 / Math.Sqrt(c2)), eps = T.CreateChecked(epsilon);
        T twd = T.CreateChecked(wd), decay = T.CreateChecked(lr * wd);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            // The loop below, a vector at a time: the same operations in the same order (no FMA; Sqrt is correctly rounded).
            ref T t0 = ref MemoryMarshal.GetReference(theta), g0 = ref MemoryMarshal.GetReference(g);
            ref T m0 = ref MemoryMarshal.GetReference(m), v0 = ref MemoryMarshal.GetReference(v);
            Vector256<T> vb1 = Vector256.Create(b1), vb2 = Vector256.Create(b2), vob1 = Vector256.Create(ob1), vob2 = Vector256.Create(ob2),
                vstep = Vector256.Create(stepSize), vsc2 = Vector256.Create(sc2), veps = Vector256.Create(eps), vwd = Vector256.Create(twd), vdecay = Vector256.Create(decay);
            for (; i <= theta.Length - Vector256<T>.Count; i += Vector256<T>.Count)
            {
                nuint at = (nuint)i;
                var th = Vector256.LoadUnsafe(ref t0, at);
                var gi = Vector256.LoadUnsafe(ref g0, at);
                if (!Decoupled) gi += vwd * th;
                var mi = vb1 * Vector256.LoadUnsafe(ref m0, at) + vob1 * gi;
                var vi = vb2 * Vector256.LoadUnsafe(ref v0, at) + vob2 * gi * gi;
                mi.StoreUnsafe(ref m0, at);
                vi.StoreUnsafe(ref v0, at);
                if (Decoupled) th -= vdecay * th;
                (th - vstep * mi / (Vector256.Sqrt(vi) * vsc2 + veps)).StoreUnsafe(ref t0, at);
            }
        }
        for (; i < theta.Length; i++)
        {
            T gi = Decoupled ? g[i] : g[i] + twd * theta[i];
            m[i] = b1 * m[i] + ob1 * gi;
            v[i] = b2 * v[i] + ob2 * gi * gi;
            if (Decoupled) theta[i] -= decay * theta[i];
            theta[i] -= stepSize * m[i] / (T.Sqrt(v[i]) * sc2 + eps);
        }
    }

    public override IEnumerable<(string Name, T[] Values)> State =>
        _moments.OrderBy(k => k.Key).SelectMany(k => new[] { ($"m{k.Key}", k.Value.M), ($"v{k.Key}", k.Value.V) });

    protected override void RestoreState(string name, T[] values)
    {
        bool first = name.StartsWith('m');
        int index = StateIndex(name, first ? "m" : "v");
        var (m, v) = _moments.GetValueOrDefault(index, (values, values));
        _moments[index] = first ? (values, v) : (m, values);
    }
}

/// <summary>The optimisers a config can ask for: the <see cref="OptimizerDefinition"/>s (src/Noether/Learning/OptimizerDefinitions.cs).</summary>
public static class Optimizers
{
    /// <summary>Every accepted optimiser name.</summary>
    public static IEnumerable<string> Names => Definitions<OptimizerDefinition>.Names;

    public static Optimizer<T> Create<T>(string name, int members, double lr, double wd, double momentum = 0.9) where T : unmanaged, IFloatingPointIeee754<T> =>
        Definitions<OptimizerDefinition>.Get(name, "optimizer").Create<T>(members, lr, wd, momentum);
}
