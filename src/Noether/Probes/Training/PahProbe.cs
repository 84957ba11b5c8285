namespace Noether.Probes.Training;

/// <summary>
/// PAH exponents of every dense layer on the current batch (docs/experiments/crh.md#fcrh-exponent): the fitted k of
/// log λ_i(X) = k·log λ_i(Z) over Z's eigenbasis for H_a and G_a against Z_a = WᵀW, and H_b and G_b against Z_b = WWᵀ;
/// CRH's proportionality is k = 1.
/// </summary>
public sealed class PahProbe : TrainingProbe
{
    public override string Name => "pah";
    public override string Description => "power-law exponents k of H_a, G_a against WᵀW and H_b, G_b against WWᵀ on the current batch (CRH: k = 1)";
    public override string Source => "arXiv 2410.03006";
    public override IReadOnlyList<OptionSpec> Options { get; } =
        [OptionSpec.Layers("layer", "dense layer(s) to fit, 1-based (e.g. 1 or 1,2); empty: every layer. Layers not read cost nothing")];

    public override void Measure(ProbeView view, ProbeLog log)
    {
        for (int l = 0; l < view.Layers; l++)
        {
            if (!Reads("layer", l + 1)) continue;
            var m = Crh.Matrices(view.Input(l), view.Error(l), view.Weight(l));
            log(l + 1, "pah_ha_za", Pah.PahExponent(m.Ha, m.Za).Exponent);
            log(l + 1, "pah_ga_za", Pah.PahExponent(m.Ga, m.Za).Exponent);
            log(l + 1, "pah_hb_zb", Pah.PahExponent(m.Hb, m.Zb).Exponent);
            log(l + 1, "pah_gb_zb", Pah.PahExponent(m.Gb, m.Zb).Exponent);
        }
    }
}
