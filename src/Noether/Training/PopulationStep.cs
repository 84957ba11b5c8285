using System.Numerics;
using Noether.Learning;
using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Tensors;

namespace Noether.Training;

/// <summary>
/// One training step of a population in a single thread hand-off: each thread takes a member range and runs, a few
/// members at a time, the batch preparation, forward pass, loss, backward pass and update of those members. The
/// threads meet once per step instead of once per phase, and a member's weights, gradients and activations are
/// still in its core's caches from one phase to the next. It applies when the network runs by member
/// (<see cref="Sequential{T}.RunsByMember"/>) and nothing reads the whole population between the phases (no rule,
/// probe or noise hook). Each phase computes every member on its own, so the values are those of the separate passes.
/// With plain SGD (<see cref="Optimizer{T}.IsPlainSgd"/>) each dense layer's weight step is done inside the product
/// that computes its gradient (<see cref="Gemm.MultiplyThenSgd{T}"/>), as PyTorch's hand-written batched step does:
/// one pass over the weights fewer, with the same gradients and new weights. With the optimizer's
/// <see cref="Optimizer{T}.KeepGradients"/> false those gradients are not stored either, as in PyTorch's step.
/// A step with a rule stack whose rules all work member by member (<see cref="RuleStack{T}.ByMember"/>) runs in two
/// hand-offs: batch, the rules' BeforeForward, forward, loss, backward and the rules' FormSignal; then, after the signal
/// observers have seen the whole population, the rules' BeforeStep, the update and their AfterUpdate.
/// </summary>
public sealed class PopulationStep<T> : MemberRangeJob where T : unmanaged, IFloatingPointIeee754<T>
{
    // Members taken through all phases together. bench (c) with 2 threads, 8 alternating processes each (median of
    // medians): 1 member 161 µs, 4 members 152, 16 (the whole range) 155.
    private const int Chunk = 4;
    private Tensor<T>? _output, _target, _grad;
    private double[]? _loss;
    private Action<int, int>? _prepare;
    // With a rule stack: the stack, its step view and which of the two hand-offs runs.
    private RuleStack<T>? _rules;
    private RuleStep<T>? _ruleStep;
    private bool _afterSignal;
    // Every other step visits a thread's chunks last to first. A member's weights, gradients and activations take
    // about 117 KB in bench (c), so the 16 members a thread takes with 2 threads (1.9 MB) do not fit its 1 MB L2; the
    // members it finished with are still there, and going back through them first finds them in L2 instead of L3.
    // Bench (c), alternating builds: 2 threads 127.9 µs against 131.6 with CPUs near each other, 140.9 against 147.6
    // far apart; 1 thread 243.4 against 245.3. Members are independent, so the order changes no value.
    private bool _backwards;

    // By parameter index: stepped inside its gradient product (null: no layer fuses its step with this optimizer).
    private readonly bool[]? _steppedInProduct;

    public PopulationStep(Sequential<T> network, Loss<T> loss, Optimizer<T> optimizer)
    {
        Network = network; Loss = loss; Optimizer = optimizer;
        if (optimizer.IsPlainSgd) _steppedInProduct = network.SgdFusedMask;
    }

    public Sequential<T> Network { get; }
    public Loss<T> Loss { get; }
    public Optimizer<T> Optimizer { get; }

    /// <summary>Whether weight steps are fused into their gradient products when the optimizer allows it (default true; false measures the separate update).</summary>
    public bool FuseSgd { get; set; } = true;

    /// <summary>Whether this step does dense layers' weight steps inside their gradient products (plain SGD and <see cref="FuseSgd"/>).</summary>
    public bool StepsInProducts => _steppedInProduct is not null && FuseSgd;

    /// <summary>Whether a step at batch size <paramref name="batch"/> can run member range by member range.</summary>
    public bool Applies(int batch) => Network.Members > 1 && Network.RunsByMember(batch);

    /// <summary>
    /// One step on inputs x and targets y [P, B, ...]: writes each member's loss into <paramref name="lossPerMember"/>
    /// and updates its parameters. <paramref name="prepare"/>(first, last), if given, first fills members [first, last)
    /// of x and y (a batch draw); it runs on the thread that computes those members.
    /// </summary>
    public void Run(Tensor<T> x, Tensor<T> y, double[] lossPerMember, Action<int, int>? prepare = null)
    {
        if (!Applies(x.Shape[1])) throw new InvalidOperationException("PopulationStep: this network cannot run member range by member range at this batch size");
        var output = Network.BeginMembers(x);
        var grad = Network.OutputGradientBuffer(x.Shape[1]);
        Loss.RequireShapes(output, y, lossPerMember, grad);
        Optimizer.Begin(Network.Parameters);
        (_output, _target, _grad, _loss, _prepare) = (output, y, grad, lossPerMember, prepare);
        try { RunHandOff(); }
        finally { (_output, _target, _grad, _loss, _prepare) = (null, null, null, null, null); }
    }

    /// <summary>
    /// <see cref="Run(Tensor{T}, Tensor{T}, double[], Action{int, int}?)"/> with the rule stack <paramref name="rules"/>
    /// (every rule by member) run inside the member ranges, and its signal observers between the two hand-offs.
    /// </summary>
    public void Run(Tensor<T> x, Tensor<T> y, double[] lossPerMember, Action<int, int>? prepare, RuleStack<T> rules, RuleStep<T> step)
    {
        if (!Applies(x.Shape[1])) throw new InvalidOperationException("PopulationStep: this network cannot run member range by member range at this batch size");
        if (!rules.ByMember) throw new InvalidOperationException($"PopulationStep: the rules {rules.Name} do not all work member by member");
        var output = Network.BeginMembers(x);
        var grad = Network.OutputGradientBuffer(x.Shape[1]);
        Loss.RequireShapes(output, y, lossPerMember, grad);
        (_output, _target, _grad, _loss, _prepare, _rules, _ruleStep) = (output, y, grad, lossPerMember, prepare, rules, step);
        try
        {
            rules.BeginStep(step);
            _afterSignal = false;
            RunHandOff();
            rules.Observe(step);
            Optimizer.Begin(Network.Parameters);
            _afterSignal = true;
            RunHandOff();
        }
        finally { (_output, _target, _grad, _loss, _prepare, _rules, _ruleStep) = (null, null, null, null, null, null, null); }
    }

    // One hand-off; the next one visits each thread's chunks in the other order.
    private void RunHandOff()
    {
        try { Run(Network.Members, Network.Compute.Threads); }
        finally { _backwards = !_backwards; }
    }

    protected override void RunRange(int first, int last)
    {
        // Without rules one hand-off does both halves; with rules the first does up to the signal, the second the rest.
        var rules = _rules;
        bool fused = rules is null && StepsInProducts;
        int chunks = (last - first + Chunk - 1) / Chunk;
        for (int i = 0; i < chunks; i++)
        {
            int start = first + (_backwards ? chunks - 1 - i : i) * Chunk, end = Math.Min(last, start + Chunk);
            if (rules is null || !_afterSignal)
            {
                _prepare?.Invoke(start, end);
                rules?.BeforeForwardMembers(_ruleStep!, start, end);
                Network.ForwardMembers(start, end);
                Loss.EvaluateMembers(_output!, _target!, _loss, _grad, start, end);
                if (fused) Network.BackwardMembers(start, end, Optimizer);
                else Network.BackwardMembers(start, end);
                rules?.FormSignalMembers(_ruleStep!, start, end);
            }
            if (rules is null || _afterSignal)
            {
                rules?.BeforeStepMembers(_ruleStep!, start, end);
                Optimizer.UpdateMembers(Network.Parameters, start, end, fused ? _steppedInProduct : null);
                rules?.AfterUpdateMembers(_ruleStep!, start, end);
            }
        }
    }
}
