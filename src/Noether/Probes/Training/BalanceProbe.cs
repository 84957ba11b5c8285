using System.Numerics.Tensors;

namespace Noether.Probes.Training;

/// <summary>
/// Imbalance of each pair of consecutive dense layers W (layer l) and U (layer l+1), the quantity the rescaling
/// symmetry conserves or SGD noise equilibrates (docs/experiments/noise-equilibrium.md#h-a-setting-balance).
/// </summary>
public sealed class BalanceProbe : TrainingProbe
{
    public override string Name => "balance";
    public override string Description => "relative imbalance ‖d·UᵀU − o·WWᵀ‖ / (‖d·UᵀU‖ + ‖o·WWᵀ‖) of consecutive layers (logged at the lower one), and ‖U‖² − ‖W‖²";
    public override string Source => "arXiv 2402.07193";

    public override void Measure(ProbeView view, ProbeLog log)
    {
        for (int l = 0; l + 1 < view.Layers; l++)
        {
            var (w, u) = (view.Weight(l), view.Weight(l + 1));
            log(l + 1, "imbalance", GradientBalance.TwoLayerImbalance(w, u));
            log(l + 1, "norm_difference", TensorPrimitives.SumOfSquares(u.ReadOnlySpan) - TensorPrimitives.SumOfSquares(w.ReadOnlySpan));
        }
    }
}
