namespace Noether.Probes.Training;

/// <summary>Singular-value summary of every weight matrix: effective rank, numerical rank and the largest singular value.</summary>
public sealed class RankProbe : TrainingProbe
{
    public override string Name => "rank";
    public override string Description => "effective rank exp(H(σ/Σσ)), numerical rank (σ > tolerance·σ₁) and σ₁ of each layer's weights";
    public override string Source => "docs/experiments/symmetry-hierarchy.md";
    public override IReadOnlyList<OptionSpec> Options { get; } =
        [OptionSpec.Number("tolerance", 1e-3, "a singular value counts towards the numerical rank when it exceeds tolerance·σ₁", 1e-15, 1)];

    public override void Measure(ProbeView view, ProbeLog log)
    {
        for (int l = 0; l < view.Layers; l++)
        {
            var w = view.Weight(l);
            log(l + 1, "effective_rank", Rank.EffectiveRank(w));
            log(l + 1, "numerical_rank", Rank.NumericalRank(w, Option<double>("tolerance")));
            log(l + 1, "sigma_max", Rank.SingularValues(w) is { Length: > 0 } s ? s[0] : 0);
        }
    }
}
