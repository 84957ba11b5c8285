namespace Noether.Probes.Training;

/// <summary>cos(B, W) of every layer whose error travels through a feedback matrix B instead of W (both stored [out, in]).</summary>
public sealed class FeedbackAlignmentProbe : TrainingProbe
{
    public override string Name => "feedback-alignment";
    public override string Description => "alignment cos(B, Wᵀ) of each feedback matrix with its forward weights (layers without feedback are skipped)";
    public override string Source => "docs/rules.md";

    public override void Measure(ProbeView view, ProbeLog log)
    {
        for (int l = 0; l < view.Layers; l++)
            if (view.Feedback(l) is { } b) log(l + 1, "feedback_alignment", MatrixAlignment.FrobeniusCosine(b.ReadOnlySpan, view.Weight(l).ReadOnlySpan));
    }
}
