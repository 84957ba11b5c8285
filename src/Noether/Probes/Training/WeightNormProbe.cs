using System.Numerics.Tensors;

namespace Noether.Probes.Training;

/// <summary>‖W‖_F and ‖G‖_F of every dense layer: how large the weights are and how hard the rule pushes them.</summary>
public sealed class WeightNormProbe : TrainingProbe
{
    public override string Name => "weight-norm";
    public override string Description => "Frobenius norms of each layer's weights ‖W‖ and learning signal ‖G‖";

    public override void Measure(ProbeView view, ProbeLog log)
    {
        for (int l = 0; l < view.Layers; l++)
        {
            log(l + 1, "weight_norm", Math.Sqrt(TensorPrimitives.SumOfSquares(view.Weight(l).ReadOnlySpan)));
            log(l + 1, "signal_norm", Math.Sqrt(TensorPrimitives.SumOfSquares(view.Signal(l).ReadOnlySpan)));
        }
    }
}
