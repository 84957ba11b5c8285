namespace Noether.Probes.Training;

/// <summary>
/// The six CRH alignments of every dense layer on the current batch (docs/experiments/crh.md#the-alignment-measure):
/// α(H, G), α(H, Z), α(G, Z) on the input side a and the output side b of h_b = W h_a.
/// </summary>
public sealed class CrhProbe : TrainingProbe
{
    public override string Name => "crh";
    public override string Description => "the six canonical-representation alignments α(H,G), α(H,Z), α(G,Z) on both sides of each layer, on the current batch";
    public override string Source => "arXiv 2410.03006";
    public override IReadOnlyList<OptionSpec> Options { get; } =
        [OptionSpec.Layers("layer", "dense layer(s) to measure, 1-based (e.g. 1 or 1,2); empty: every layer. Layers not read cost nothing")];

    private static readonly string[] Relations = ["a_RG", "a_RW", "a_GW", "b_RG", "b_RW", "b_GW"];

    public override void Measure(ProbeView view, ProbeLog log)
    {
        for (int l = 0; l < view.Layers; l++)
        {
            if (!Reads("layer", l + 1)) continue;
            var a = Crh.Alignments(Crh.Matrices(view.Input(l), view.Error(l), view.Weight(l)));
            double[] values = [a.ARG, a.ARW, a.AGW, a.BRG, a.BRW, a.BGW];
            for (int r = 0; r < values.Length; r++) log(l + 1, "crh_" + Relations[r], values[r]);
            log(l + 1, "crh_mean", a.Mean);
        }
    }
}
