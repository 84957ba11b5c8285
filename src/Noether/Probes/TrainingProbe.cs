using System.Numerics;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Probes;

/// <summary>
/// A measurement taken while a network trains (docs/probes.md#attachable-probes), attached to any trained experiment
/// with <c>--set probes=NAME[,NAME…]</c>. A probe reads one member at a time through a <see cref="ProbeView"/> at the
/// trainer's signal point (the learning signal in the gradients, before any decay; the batch's trace intact) and
/// logs values per layer. Probes observe and never write: a run with probes has the same metrics as one without,
/// plus the probes' rows. A probe is one file: a sealed subclass with a parameterless constructor registers itself
/// (<see cref="ProbeRegistry"/>).
/// </summary>
public abstract class TrainingProbe
{
    /// <summary>The name used in <c>--set probes=…</c> and as the prefix of its metrics (e.g. "hebbian").</summary>
    public abstract string Name { get; }
    /// <summary>One line for <c>noether list probes</c>.</summary>
    public abstract string Description { get; }
    /// <summary>Where the measure comes from: a paper (arXiv id) or a docs page.</summary>
    public virtual string Source => "docs/probes.md";

    /// <summary>
    /// Its options, declared once (name, type, range, default, one line): set with <c>--set probes.&lt;name&gt;.&lt;option&gt;=V</c>,
    /// validated against this list, shown by <c>noether list probes</c> and docs/reference.md. Empty when it has none.
    /// </summary>
    public virtual IReadOnlyList<OptionSpec> Options => [];

    private IReadOnlyDictionary<string, object> _values = new Dictionary<string, object>();

    /// <summary>
    /// A copy of this probe with the option values <paramref name="values"/> (option name → value of its declared type); options
    /// not given keep their defaults. The registry's instance is left as it is.
    /// </summary>
    public TrainingProbe With(IReadOnlyDictionary<string, object> values)
    {
        foreach (var name in values.Keys)
            if (Options.All(o => o.Name != name)) throw new ArgumentException($"probe '{Name}' has no option '{name}'");
        var copy = (TrainingProbe)MemberwiseClone();
        copy._values = new Dictionary<string, object>(values);
        return copy;
    }

    /// <summary>The value in force of option <paramref name="name"/>: the one given to <see cref="With"/>, else its declared default.</summary>
    protected T Option<T>(string name) =>
        (T)(_values.TryGetValue(name, out var v) ? v : (Options.FirstOrDefault(o => o.Name == name) ?? throw new ArgumentException($"probe '{Name}' declares no option '{name}'")).Default);

    /// <summary>Whether dense layer <paramref name="layer"/> (1-based) is among those the list option <paramref name="name"/> names (an empty list: every layer).</summary>
    protected bool Reads(string name, int layer) => Option<int[]>(name) is var only && (only.Length == 0 || only.Contains(layer));

    /// <summary>Measures member <see cref="ProbeView.Member"/>; calls <paramref name="log"/> once per value (layer 1-based, 0 when not per layer).</summary>
    public abstract void Measure(ProbeView view, ProbeLog log);

    /// <summary>
    /// Measures every member of the population at one probe point; by default each member in turn with <see cref="Measure"/>.
    /// A probe that compares members (member-similarity) overrides this.
    /// </summary>
    public virtual void MeasureMembers(IReadOnlyList<ProbeView> members, MemberLog log)
    {
        foreach (var view in members) Measure(view, (layer, name, value) => log(view.Member, layer, name, value));
    }
}

/// <summary>Receives one probe value of a population measurement: member, dense layer (1-based; 0 when not per layer), metric name, value.</summary>
public delegate void MemberLog(int member, int layer, string name, double value);

/// <summary>Receives one probe value: dense layer (1-based; 0 when the value is not per layer), metric name, value.</summary>
public delegate void ProbeLog(int layer, string name, double value);

/// <summary>
/// One population member of a network at a probe point, in float64, built lazily: per dense layer l (0-based) its
/// weights W [out, in], feedback B [out, in] (the matrix the error travels through instead of W, or null), the batch's
/// input h_a [N, in], pre-activation h_b = W h_a [N, out], error ∂ℓ/∂h_b [N, out], and the learning signal
/// G = −(the gradient the rule formed) [out, in]. When built from a trainer it also knows the batch's targets and the
/// training loss, so a probe can evaluate the loss elsewhere on a float64 one-member copy (<see cref="MemberReplica"/>).
/// </summary>
public sealed class ProbeView
{
    private readonly Func<int, Tensor<double>> _weight, _input, _pre, _error, _signal;
    private readonly Func<int, Tensor<double>?> _feedback;
    private readonly Func<BackpropReference.LayerGradients[]> _backprop;
    private BackpropReference.LayerGradients[]? _exact;
    private readonly Dictionary<(string, int), Tensor<double>?> _cache = new();
    private readonly Func<Tensor<double>> _networkInput;
    private readonly Func<Sequential<double>?> _replica;
    private readonly Func<Tensor<double>?> _targets;
    private readonly Loss<double>? _loss;

    private ProbeView(int member, long step, int layers, Func<int, Tensor<double>> weight, Func<int, Tensor<double>?> feedback,
        Func<int, Tensor<double>> input, Func<int, Tensor<double>> pre, Func<int, Tensor<double>> error, Func<int, Tensor<double>> signal,
        Func<BackpropReference.LayerGradients[]> backprop, Func<Tensor<double>> networkInput, Func<Sequential<double>?> replica,
        Func<Tensor<double>?> targets, Loss<double>? loss)
    {
        Member = member; Step = step; Layers = layers;
        _weight = weight; _feedback = feedback; _input = input; _pre = pre; _error = error; _signal = signal; _backprop = backprop;
        _networkInput = networkInput; _replica = replica; _targets = targets; _loss = loss;
    }

    /// <summary>
    /// The view a trainer's probes get for member <paramref name="member"/> at its signal point: <see cref="Of{T}(Sequential{T}, int, long, Loss{T}?, Tensor{T}?)"/>
    /// with the trainer's loss and the batch's targets.
    /// </summary>
    public static ProbeView Of<T>(Noether.Training.Trainer<T> trainer, int member) where T : unmanaged, IFloatingPointIeee754<T> =>
        Of(trainer.Network, member, trainer.Step, trainer.Loss, trainer.BatchTargets);

    /// <summary>
    /// Member <paramref name="member"/> of <paramref name="network"/> right after its backward pass: the trace holds the
    /// current batch and the weights' gradients hold −(learning signal).
    /// </summary>
    /// <remarks>With the training loss <paramref name="loss"/> and the batch's targets <paramref name="targets"/> [P, N, ...], <see cref="BatchLoss"/> is defined.</remarks>
    public static ProbeView Of<T>(Sequential<T> network, int member, long step, Loss<T>? loss = null, Tensor<T>? targets = null)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        var linears = network.Linears.ToArray();
        var trace = network.Trace;
        Tensor<double> Signal(int l)
        {
            var g = MemberSlice.ToDouble(linears[l].Weight.Grad, member);
            var span = g.Span;
            for (int i = 0; i < span.Length; i++) span[i] = -span[i];
            return g;
        }
        return new ProbeView(member, step, linears.Length,
            l => MemberSlice.ToDouble(linears[l].Weight.Value, member),
            l => linears[l].Feedback is { } b ? MemberSlice.ToDouble(b, member) : null,
            l => Rows(MemberSlice.ToDouble(trace[l].Input, member)),
            l => Rows(MemberSlice.ToDouble(trace[l].PreActivation, member)),
            l => Rows(MemberSlice.ToDouble(trace[l].GradPreActivation, member)),
            Signal,
            () => BackpropReference.Compute(network, member),
            () => MemberSlice.ToDouble(network.Activation(0), member),
            () => MemberReplica.TryBuild(network, member),
            () => targets is null ? null : MemberSlice.ToDouble(targets, member),
            MemberReplica.TryLoss(loss));
    }

    /// <summary>A [N, ...] batch as the [N, D] matrix the probes take.</summary>
    internal static Tensor<double> Rows(Tensor<double> t) => t.Rank == 2 ? t : t.Reshape([t.Shape[0], t.Length / t.Shape[0]]);

    /// <summary>The population member this view shows.</summary>
    public int Member { get; }
    /// <summary>Updates done before this point (the weights are those after Step updates).</summary>
    public long Step { get; }
    /// <summary>Number of dense layers.</summary>
    public int Layers { get; }

    public Tensor<double> Weight(int layer) => Get("w", layer, _weight)!;
    public Tensor<double>? Feedback(int layer) => Get("b", layer, _feedback);
    public Tensor<double> Input(int layer) => Get("in", layer, _input)!;
    public Tensor<double> PreActivation(int layer) => Get("pre", layer, _pre)!;
    public Tensor<double> Error(int layer) => Get("err", layer, _error)!;
    public Tensor<double> Signal(int layer) => Get("g", layer, _signal)!;
    /// <summary>What backpropagation would give at this point, whatever rule trained the network (<see cref="BackpropReference"/>), bottom layer first.</summary>
    public BackpropReference.LayerGradients Backprop(int layer) => Exact()![layer];

    /// <summary>The batch's network input [N, ...input shape] of this member (after any input noise).</summary>
    public Tensor<double> NetworkInput => _input0 ??= _networkInput();
    private Tensor<double>? _input0;

    /// <summary>
    /// A float64 one-member copy of this member's network (<see cref="MemberReplica"/>), or null when the network has a layer
    /// the copy does not support. Probes may run it freely: the population is untouched.
    /// </summary>
    public Sequential<double>? Replica
    {
        get
        {
            if (!_replicaTried) { _replicaTried = true; _replicaNet = _replica(); }
            return _replicaNet;
        }
    }
    private Sequential<double>? _replicaNet;
    private bool _replicaTried;

    /// <summary>
    /// The training loss on this member's current batch as a function of its flattened parameters (float64, on the
    /// replica, <see cref="Noether.Training.MemberLossGradient"/>), or null without a loss, targets or replica.
    /// </summary>
    public Noether.Training.MemberLossGradient? BatchLoss
    {
        get
        {
            if (_batchLossTried) return _batchLoss;
            _batchLossTried = true;
            if (_loss is null || _targets() is not { } y || Replica is not { } single) return null;
            var data = new Noether.Training.TrainingData<double>(NetworkInput, y);
            return _batchLoss = new Noether.Training.MemberLossGradient(MemberReplica.TryBuild(single, 0)!, _loss, data, 0);
        }
    }
    private Noether.Training.MemberLossGradient? _batchLoss;
    private bool _batchLossTried;

    /// <summary>This member's parameters in <see cref="Sequential{T}.Parameters"/> order, flattened (float64), or null without a replica.</summary>
    public double[]? Parameters => Replica is { } single ? Noether.Training.MemberLossGradient.Flatten(single, 0) : null;

    /// <summary>Whether <see cref="Backprop"/> is defined: dense layers with elementwise activations between them.</summary>
    public bool BackpropDefined => Exact() is not null;

    private bool _exactTried;
    private BackpropReference.LayerGradients[]? Exact()
    {
        if (_exactTried) return _exact;
        _exactTried = true;
        try { _exact = _backprop(); }
        catch (NotSupportedException) { _exact = null; }
        return _exact;
    }

    private Tensor<double>? Get(string what, int layer, Func<int, Tensor<double>?> make)
    {
        if ((uint)layer >= (uint)Layers) throw new ArgumentOutOfRangeException(nameof(layer), $"layer {layer}: the network has {Layers} dense layers");
        if (!_cache.TryGetValue((what, layer), out var t)) _cache[(what, layer)] = t = make(layer);
        return t;
    }
}
