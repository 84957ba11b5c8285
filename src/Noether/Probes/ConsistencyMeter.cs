using Noether.Nn;
using Noether.Tensors;

namespace Noether.Probes;

/// <summary>
/// Window means, per population member, of the heterosynaptic consistency measures (docs/experiments/heterosynaptic.md#protocol)
/// of a dense network whose top layer delivers the hidden error through its feedback pathway: the consistency score
/// φ̂ (<see cref="ConsistencyScore.PhiHat"/>) of the delivered error P against the true ∂ℓ/∂h, the dynamical-consistency
/// fraction of hidden neurons with φ̂_i &gt; 0, and cos(ΔW1, −∇W1) of the first layer's update with its exact gradient
/// (<see cref="BackpropReference"/>). Call <see cref="Observe"/> once per step after the backward pass, when the weight
/// gradients hold the rule's signal (a learning rule's signal observer), for the steps of the window. Members are
/// measured one member range per thread (the network's <see cref="Compute"/>); each member's values are computed on
/// one thread alone, so they do not depend on the thread count.
/// </summary>
public sealed class ConsistencyMeter : MemberRangeJob
{
    public ConsistencyMeter(int members)
    {
        Phi = Enumerable.Range(0, members).Select(_ => new StepAverage()).ToArray();
        Dc = Enumerable.Range(0, members).Select(_ => new StepAverage()).ToArray();
        Cos = Enumerable.Range(0, members).Select(_ => new StepAverage()).ToArray();
    }

    // Each thread's own reusable storage for the backprop reference (a worker thread measures meters one after another).
    [ThreadStatic] private static BackpropReference.Scratch<double>? _scratch;
    private Sequential<double>? _network;

    /// <summary>Mean φ̂ per member.</summary>
    public StepAverage[] Phi { get; }
    /// <summary>Mean fraction of hidden neurons with φ̂_i &gt; 0 per member.</summary>
    public StepAverage[] Dc { get; }
    /// <summary>Mean cos(ΔW1, −∇W1) per member.</summary>
    public StepAverage[] Cos { get; }

    /// <summary>
    /// Adds one step of every member from <paramref name="network"/>'s trace: P = the error the top layer's feedback
    /// delivers to the hidden layer, Gh = the true ∂ℓ/∂h, ΔW1 = −(the first layer's gradient).
    /// </summary>
    public void Observe(Sequential<double> network)
    {
        _network = network;
        try { Run(Phi.Length, network.Compute.Threads); }
        finally { _network = null; }
    }

    protected override void RunRange(int first, int last)
    {
        var network = _network!;
        var trace = network.Trace;
        var scratch = _scratch ??= new();
        for (int m = first; m < last; m++)
        {
            var reference = BackpropReference.Compute(network, m, scratch);
            var delivered = trace[^1].GradInput.Slice(m);
            var truth = reference[^1].InputError;
            Phi[m].Add(ConsistencyScore.PhiHat(delivered, truth));
            Dc[m].Add(ConsistencyScore.PositiveFraction(ConsistencyScore.PhiHatPerNeuron(delivered, truth)));
            // ΔW1 = −Grad and −∇W1: the cosine of the two negatives is that of the gradients.
            Cos[m].Add(MatrixAlignment.FrobeniusCosine(trace[0].Layer.Weight.Grad.Slice(m).ReadOnlySpan, reference[0].WeightGradient.ReadOnlySpan));
        }
    }
}
