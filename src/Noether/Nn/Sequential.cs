using System.Numerics;
using Noether.Tensors;

namespace Noether.Nn;

/// <summary>
/// A population of P networks of one architecture, run layer by layer. It keeps every layer's input
/// and output and, after <see cref="Backward(Tensor{T})"/>, the error at each of them — the trace that
/// learning rules and probes read. Buffers are allocated once per batch size and reused.
/// </summary>
public sealed class Sequential<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Layer<T>[] _layers;
    private readonly int[][] _sampleShapes;
    private readonly Dictionary<int, Buffers> _buffers = new();
    private Buffers? _current;
    // Runs whole passes one member range per thread, when every layer can (null otherwise).
    private readonly MemberPass? _byMember;

    public Sequential(int members, int[] inputSampleShape, IEnumerable<Layer<T>> layers, Compute? compute = null)
    {
        Members = members;
        Compute = compute ?? Compute.Serial;
        _layers = layers.ToArray();
        if (_layers.Length == 0) throw new ArgumentException("Sequential: needs at least one layer");
        _sampleShapes = new int[_layers.Length + 1][];
        _sampleShapes[0] = (int[])inputSampleShape.Clone();
        for (int i = 0; i < _layers.Length; i++)
        {
            if (_layers[i].Members != members)
                throw new ArgumentException($"Sequential: layer {i} ({_layers[i].Name}) has {_layers[i].Members} members, the network {members}");
            _sampleShapes[i + 1] = _layers[i].OutputShape(_sampleShapes[i]);
        }
        Parameters = _layers.SelectMany(l => l.Parameters).ToArray();
        var fused = _layers.Select(l => l.SgdFusedInto).Where(p => p is not null).ToHashSet();
        SgdFusedMask = fused.Count > 0 ? Parameters.Select(fused.Contains).ToArray() : null;
        _byMember = members > 1 && _layers.All(l => l.RunsByMember) ? new MemberPass(this) : null;
    }

    public int Members { get; }
    public Compute Compute { get; set; }
    public IReadOnlyList<Layer<T>> Layers => _layers;
    public IReadOnlyList<Parameter<T>> Parameters { get; }
    public int[] InputShape => _sampleShapes[0];
    public int[] OutputShape => _sampleShapes[^1];
    /// <summary>When true, <see cref="Backward(Tensor{T})"/> also computes ∂ℓ/∂(network input).</summary>
    public bool ComputeInputGradient { get; set; }

    public IEnumerable<Linear<T>> Linears => _layers.OfType<Linear<T>>();

    /// <summary>Runs the population on x [P, B, ...input shape]; returns the output buffer (valid until the next call).</summary>
    public Tensor<T> Forward(Tensor<T> x)
    {
        var buf = BeginPass(x, "Sequential.Forward");
        if (SplitsByMember(buf)) _byMember!.Run(buf, backward: false, Compute.Threads);
        else
            for (int i = 0; i < _layers.Length; i++)
                _layers[i].Forward(buf.Activations[i], buf.Activations[i + 1], Compute);
        return buf.Activations[^1];
    }

    /// <summary>Back-propagates ∂ℓ/∂output through every layer, filling parameter gradients and the error trace.</summary>
    public void Backward(Tensor<T> outputGradient) => Backward(outputGradient, null);

    /// <summary>
    /// <see cref="Backward(Tensor{T})"/> with each layer's <see cref="Layer{T}.SgdFusedInto"/> parameter stepped by plain SGD
    /// (<paramref name="sgd"/>, whose step this is) inside its gradient product; the caller updates the parameters not in
    /// <see cref="SgdFusedMask"/>. Gradients, trace and new values are those of the backward pass and the separate step.
    /// </summary>
    public void Backward(Tensor<T> outputGradient, Learning.Optimizer<T>? sgd)
    {
        var buf = _current ?? throw new InvalidOperationException("Sequential.Backward called before Forward");
        Shapes.RequireSameShape("Sequential.Backward: output gradient vs output", outputGradient, buf.Activations[^1]);
        if (!ReferenceEquals(outputGradient, buf.Gradients[^1])) outputGradient.ReadOnlySpan.CopyTo(buf.Gradients[^1].Span);
        if (SplitsByMember(buf)) { _byMember!.Run(buf, backward: true, Compute.Threads, sgd); return; }
        for (int i = _layers.Length - 1; i >= 0; i--)
            if (sgd is null) _layers[i].Backward(buf.Activations[i], buf.Activations[i + 1], buf.Gradients[i + 1], InputGradient(buf, i), Compute);
            else _layers[i].BackwardThenSgd(buf.Activations[i], buf.Activations[i + 1], buf.Gradients[i + 1], InputGradient(buf, i), Compute, sgd);
    }

    /// <summary>
    /// By index in <see cref="Parameters"/>: whether a backward pass with plain SGD steps that parameter inside its
    /// gradient product (<see cref="Layer{T}.SgdFusedInto"/>); null when no layer does.
    /// </summary>
    public bool[]? SgdFusedMask { get; }

    private Buffers BeginPass(Tensor<T> x, string caller)
    {
        bool ok = x.Rank == _sampleShapes[0].Length + 2 && x.Shape[0] == Members && x.Shape.AsSpan(2).SequenceEqual(_sampleShapes[0]);
        if (!ok) Shapes.Fail(caller, $"[{Members},B,{string.Join(",", _sampleShapes[0])}]", x.Shape);
        var buf = Ensure(x.Shape[1]);
        buf.Activations[0] = x;
        return buf;
    }

    /// <summary>
    /// Whether passes at batch size <paramref name="batch"/> can run member range by member range
    /// (<see cref="ForwardMembers"/>, <see cref="BackwardMembers(int, int)"/>) with every member's values as in a whole pass.
    /// </summary>
    public bool RunsByMember(int batch) => _byMember is not null && BuffersFor(batch).MemberBytes >= 64;

    /// <summary>
    /// Whether there are several members and every layer runs member range by member range, so <see cref="ForwardMembers"/>
    /// and <see cref="BackwardMembers(int, int)"/> are available (at any batch size; <see cref="RunsByMember"/> says when
    /// their values are those of a whole pass).
    /// </summary>
    public bool HasMemberPasses => _byMember is not null;

    /// <summary>
    /// Makes x the input of the next member-range passes and returns the output buffer; its members are filled by
    /// <see cref="ForwardMembers"/>. x's values may still be written before then.
    /// </summary>
    public Tensor<T> BeginMembers(Tensor<T> x) => BeginPass(x, "Sequential.BeginMembers").Activations[^1];

    /// <summary>The forward pass of members [first, last) on this thread alone, after <see cref="BeginMembers"/> (only when <see cref="RunsByMember"/>).</summary>
    public void ForwardMembers(int first, int last) => MemberPassFor(nameof(ForwardMembers)).RunRange(_current!, backward: false, first, last);

    /// <summary>The backward pass of members [first, last) from ∂ℓ/∂output in <see cref="OutputGradientBuffer"/>, on this thread alone.</summary>
    public void BackwardMembers(int first, int last) => MemberPassFor(nameof(BackwardMembers)).RunRange(_current!, backward: true, first, last);

    /// <summary>
    /// <see cref="BackwardMembers(int, int)"/> with each layer's <see cref="Layer{T}.SgdFusedInto"/> parameter stepped by plain
    /// SGD inside its gradient product (<see cref="Layer{T}.BackwardMembersThenSgd"/>); the caller updates the others.
    /// </summary>
    public void BackwardMembers(int first, int last, Learning.Optimizer<T> sgd) =>
        MemberPassFor(nameof(BackwardMembers)).RunRange(_current!, backward: true, first, last, sgd);

    private MemberPass MemberPassFor(string op) => _byMember is not null && _current is not null ? _byMember
        : throw new InvalidOperationException($"Sequential.{op}: needs every layer to run by member and BeginMembers first");

    private Tensor<T>? InputGradient(Buffers buf, int layer) => layer > 0 || ComputeInputGradient ? buf.Gradients[layer] : null;

    // One member range per thread for the whole pass: one hand-off per pass instead of one per kernel. Every
    // activation must be at least 64 bytes per member, so vectorised elementwise kernels take the same path on a
    // range as on the whole tensor and each member's values do not depend on the split.
    private bool SplitsByMember(Buffers buf) => _byMember is not null && Compute.Threads > 1 && buf.MemberBytes >= 64;

    private sealed class MemberPass(Sequential<T> net) : MemberRangeJob
    {
        private Buffers? _buf;
        private bool _backward;
        private Learning.Optimizer<T>? _sgd;

        public void Run(Buffers buf, bool backward, int threads, Learning.Optimizer<T>? sgd = null)
        {
            (_buf, _backward, _sgd) = (buf, backward, sgd);
            try { Run(net.Members, threads); }
            finally { (_buf, _sgd) = (null, null); }
        }

        protected override void RunRange(int first, int last) => RunRange(_buf!, _backward, first, last, _sgd);

        public void RunRange(Buffers buf, bool backward, int first, int last, Learning.Optimizer<T>? sgd = null)
        {
            var layers = net._layers;
            if (!backward)
                for (int i = 0; i < layers.Length; i++)
                    layers[i].ForwardMembers(buf.Activations[i], buf.Activations[i + 1], first, last);
            else if (sgd is null)
                for (int i = layers.Length - 1; i >= 0; i--)
                    layers[i].BackwardMembers(buf.Activations[i], buf.Activations[i + 1], buf.Gradients[i + 1], net.InputGradient(buf, i), first, last);
            else
                for (int i = layers.Length - 1; i >= 0; i--)
                    layers[i].BackwardMembersThenSgd(buf.Activations[i], buf.Activations[i + 1], buf.Gradients[i + 1], net.InputGradient(buf, i), first, last, sgd);
        }
    }

    /// <summary>Input of layer i (i = layer count gives the network output) from the last Forward.</summary>
    public Tensor<T> Activation(int i) => (_current ?? throw new InvalidOperationException("no Forward yet")).Activations[i];

    /// <summary>∂ℓ/∂(input of layer i) from the last Backward (i = layer count gives ∂ℓ/∂output).</summary>
    public Tensor<T> Gradient(int i) => (_current ?? throw new InvalidOperationException("no Forward yet")).Gradients[i];

    /// <summary>Buffer for ∂ℓ/∂output at batch size B, so a loss can write straight into it.</summary>
    public Tensor<T> OutputGradientBuffer(int batch) => Ensure(batch).Gradients[^1];

    /// <summary>The dense-layer view of the last pass: for each Linear, h_a, h_b, its output after the activation, and their errors.</summary>
    public IReadOnlyList<LinearTrace<T>> Trace => (_current ?? throw new InvalidOperationException("no Forward yet")).Trace;

    /// <summary>Initialises every parameter, member by member, each from its own stream (member i equals a P=1 run seeded like member i).</summary>
    public void Initialize(InitScheme scheme, IReadOnlyList<Rng> memberStreams, double std = 1.0)
    {
        if (memberStreams.Count != Members) throw new ArgumentException($"Sequential.Initialize: {memberStreams.Count} streams for {Members} members");
        for (int p = 0; p < Members; p++)
            foreach (var param in Parameters)
                Initializer.Fill(param, p, scheme, memberStreams[p], std);
    }

    private Buffers Ensure(int batch) => _current = BuffersFor(batch);

    private Buffers BuffersFor(int batch)
    {
        if (_current is not null && _current.Batch == batch) return _current;
        if (!_buffers.TryGetValue(batch, out var buf))
        {
            buf = new Buffers(batch, Members, _sampleShapes, _layers);
            _buffers[batch] = buf;
        }
        return buf;
    }

    private sealed class Buffers
    {
        public readonly int Batch;
        public readonly Tensor<T>[] Activations;
        public readonly Tensor<T>[] Gradients;
        public readonly LinearTrace<T>[] Trace;
        /// <summary>Bytes per member of the smallest activation (the network input included).</summary>
        public long MemberBytes;

        public Buffers(int batch, int members, int[][] shapes, Layer<T>[] layers)
        {
            Batch = batch;
            Activations = new Tensor<T>[shapes.Length];
            Gradients = new Tensor<T>[shapes.Length];
            for (int i = 0; i < shapes.Length; i++)
            {
                int[] full = [members, batch, .. shapes[i]];
                long bytes = (long)batch * shapes[i].Aggregate(1L, (a, d) => a * d) * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
                MemberBytes = i == 0 ? bytes : Math.Min(MemberBytes, bytes);
                if (i > 0) Activations[i] = Tensor<T>.Aligned(full);
                Gradients[i] = Tensor<T>.Aligned(full);
            }
            var traces = new List<LinearTrace<T>>();
            for (int i = 0; i < layers.Length; i++)
            {
                if (layers[i] is not Linear<T> lin) continue;
                bool act = i + 1 < layers.Length && layers[i + 1] is Activation<T> or PRelu<T>;
                int outIdx = act ? i + 2 : i + 1;
                traces.Add(new LinearTrace<T>(traces.Count, lin, Activations, Gradients, i, outIdx));
            }
            Trace = traces.ToArray();
        }
    }
}

/// <summary>
/// Trace of one dense layer l: h_a (its input), h_b = W h_a + b (pre-activation), the output after the
/// activation, g_b = ∂ℓ/∂h_b and g_a = ∂ℓ/∂h_a, per member and per sample.
/// </summary>
public sealed class LinearTrace<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly Tensor<T>[] _acts, _grads;

    internal LinearTrace(int index, Linear<T> layer, Tensor<T>[] activations, Tensor<T>[] gradients, int layerIndex, int outputIndex)
    {
        Index = index; Layer = layer; _acts = activations; _grads = gradients; LayerIndex = layerIndex; OutputIndex = outputIndex;
    }

    /// <summary>Position among the network's dense layers (0 = first).</summary>
    public int Index { get; }
    public Linear<T> Layer { get; }
    /// <summary>Position of the Linear among all layers of the Sequential.</summary>
    public int LayerIndex { get; }
    public int OutputIndex { get; }
    public Tensor<T> Input => _acts[LayerIndex];
    public Tensor<T> PreActivation => _acts[LayerIndex + 1];
    public Tensor<T> Output => _acts[OutputIndex];
    public Tensor<T> GradPreActivation => _grads[LayerIndex + 1];
    /// <summary>∂ℓ/∂h_a; for the first layer only filled when the network computes the input gradient.</summary>
    public Tensor<T> GradInput => _grads[LayerIndex];
}
