using Noether.Nn;

namespace Noether.Probes;

/// <summary>
/// Window means, per population member, of the heterosynaptic consistency measures (docs/experiments/heterosynaptic.md#protocol)
/// of a dense network whose top layer delivers the hidden error through its feedback pathway: the consistency score
/// φ̂ (<see cref="ConsistencyScore.PhiHat"/>) of the delivered error P against the true ∂ℓ/∂h, the dynamical-consistency
/// fraction of hidden neurons with φ̂_i &gt; 0, and cos(ΔW1, −∇W1) of the first layer's update with its exact gradient
/// (<see cref="BackpropReference"/>). Call <see cref="Observe"/> once per step after the backward pass, when the weight
/// gradients hold the rule's signal (a learning rule's signal observer), for the steps of the window.
/// </summary>
public sealed class ConsistencyMeter
{
    public ConsistencyMeter(int members)
    {
        Phi = Enumerable.Range(0, members).Select(_ => new StepAverage()).ToArray();
        Dc = Enumerable.Range(0, members).Select(_ => new StepAverage()).ToArray();
        Cos = Enumerable.Range(0, members).Select(_ => new StepAverage()).ToArray();
    }

    private readonly BackpropReference.Scratch<double> _scratch = new();

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
        var trace = network.Trace;
        for (int m = 0; m < Phi.Length; m++)
        {
            var reference = BackpropReference.Compute(network, m, _scratch);
            var delivered = trace[^1].GradInput.Slice(m);
            var truth = reference[^1].InputError;
            Phi[m].Add(ConsistencyScore.PhiHat(delivered, truth));
            Dc[m].Add(ConsistencyScore.PositiveFraction(ConsistencyScore.PhiHatPerNeuron(delivered, truth)));
            // ΔW1 = −Grad and −∇W1: the cosine of the two negatives is that of the gradients.
            Cos[m].Add(MatrixAlignment.FrobeniusCosine(trace[0].Layer.Weight.Grad.Slice(m).ReadOnlySpan, reference[0].WeightGradient.ReadOnlySpan));
        }
    }
}
