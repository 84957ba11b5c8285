namespace Noether.Probes.Training;

/// <summary>
/// How close a rule's learning signal is to backpropagation's, layer by layer (docs/experiments/heterosynaptic.md#protocol):
/// the consistency score φ̂ = ⟨P, ∂ℓ/∂h⟩ / ‖∂ℓ/∂h‖² of the errors the rule delivers to the layer's pre-activations, and
/// cos(G, −∇W) of its weight update. Both are 1 for backprop.
/// </summary>
public sealed class GradientAlignmentProbe : TrainingProbe
{
    public override string Name => "gradient-alignment";
    public override string Description => "consistency score φ̂ of the errors each layer receives, and cos(G, −∇W) of its update, against exact backprop (1 for backprop)";
    public override string Source => "arXiv 2505.02248";

    public override void Measure(ProbeView view, ProbeLog log)
    {
        // Exact backprop is defined here for stacks of dense layers with elementwise activations; other networks are skipped.
        if (view.Layers == 0 || !view.BackpropDefined) return;
        for (int l = 0; l < view.Layers; l++)
        {
            var exact = view.Backprop(l);
            log(l + 1, "phi_hat", ConsistencyScore.PhiHat(view.Error(l), ProbeView.Rows(exact.PreActivationError)));
            var descent = exact.WeightGradient.Clone();
            var span = descent.Span;
            for (int i = 0; i < span.Length; i++) span[i] = -span[i];
            log(l + 1, "update_alignment", MatrixAlignment.FrobeniusCosine(view.Signal(l).ReadOnlySpan, descent.ReadOnlySpan));
        }
    }
}
