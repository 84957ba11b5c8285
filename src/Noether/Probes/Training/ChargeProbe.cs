using System.Numerics.Tensors;

namespace Noether.Probes.Training;

/// <summary>
/// Rescaling charges of the hidden neurons between consecutive dense layers (docs/experiments/noise-equilibrium.md#h-a-setting-balance):
/// C_i = ‖W_l row i‖² − ‖W_{l+1} column i‖², conserved by gradient flow without decay under the rescaling symmetry
/// of a homogeneous activation, driven to 0 by weight decay and to the noise equilibrium by SGD. Logged at the lower layer.
/// </summary>
public sealed class ChargeProbe : TrainingProbe
{
    public override string Name => "charge";
    public override string Description => "rescaling charges C_i = ‖incoming row i‖² − ‖outgoing column i‖² of each hidden neuron: mean and largest |C_i|";
    public override string Source => "arXiv 2402.07193";

    public override void Measure(ProbeView view, ProbeLog log)
    {
        for (int l = 0; l + 1 < view.Layers; l++)
        {
            var (w, u) = (view.Weight(l), view.Weight(l + 1));
            int hidden = w.Shape[0], inputs = w.Shape[1], outputs = u.Shape[0];
            if (u.Shape[1] != hidden) continue; // not a dense pair (a reshape between them)
            double sum = 0, max = 0;
            var column = new double[outputs];
            for (int i = 0; i < hidden; i++)
            {
                for (int o = 0; o < outputs; o++) column[o] = u[o, i];
                double c = Math.Abs(TensorPrimitives.SumOfSquares(w.ReadOnlySpan.Slice(i * inputs, inputs)) - TensorPrimitives.SumOfSquares<double>(column));
                sum += c; max = Math.Max(max, c);
            }
            log(l + 1, "charge_mean_abs", sum / hidden);
            log(l + 1, "charge_max_abs", max);
        }
    }
}
