namespace Noether.Probes.Training;

/// <summary>cos(G, H) of every dense layer on the current batch, G the learning signal and H = h_b h_aᵀ (docs/experiments/hebbian.md#protocol).</summary>
public sealed class HebbianProbe : TrainingProbe
{
    public override string Name => "hebbian";
    public override string Description => "Hebbian alignment cos(G, h_b h_aᵀ) of each layer's learning signal on the current batch (+1 Hebbian, −1 anti-Hebbian)";
    public override string Source => "arXiv 2505.18069";

    public override void Measure(ProbeView view, ProbeLog log)
    {
        for (int l = 0; l < view.Layers; l++)
            log(l + 1, "hebbian", HebbianAlignment.LayerAlignment(view.Signal(l), view.Input(l), view.PreActivation(l)));
    }
}
