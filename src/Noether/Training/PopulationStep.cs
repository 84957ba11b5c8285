using System.Numerics;
using Noether.Learning;
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
/// </summary>
public sealed class PopulationStep<T> : MemberRangeJob where T : unmanaged, IFloatingPointIeee754<T>
{
    // Members taken through all phases together. bench (c) with 2 threads, 8 alternating processes each (median of
    // medians): 1 member 161 µs, 4 members 152, 16 (the whole range) 155.
    private const int Chunk = 4;
    private Tensor<T>? _output, _target, _grad;
    private double[]? _loss;
    private Action<int, int>? _prepare;

    public PopulationStep(Sequential<T> network, Loss<T> loss, Optimizer<T> optimizer)
    {
        Network = network; Loss = loss; Optimizer = optimizer;
    }

    public Sequential<T> Network { get; }
    public Loss<T> Loss { get; }
    public Optimizer<T> Optimizer { get; }

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
        try { Run(Network.Members, Network.Compute.Threads); }
        finally { (_output, _target, _grad, _loss, _prepare) = (null, null, null, null, null); }
    }

    protected override void RunRange(int first, int last)
    {
        for (int start = first; start < last; start += Chunk)
        {
            int end = Math.Min(last, start + Chunk);
            _prepare?.Invoke(start, end);
            Network.ForwardMembers(start, end);
            Loss.EvaluateMembers(_output!, _target!, _loss, _grad, start, end);
            Network.BackwardMembers(start, end);
            Optimizer.UpdateMembers(Network.Parameters, start, end);
        }
    }
}
