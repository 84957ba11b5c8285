using Noether.Probes;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// hebbian A-E3 (docs/experiments/hebbian.md#a-e3-setting): the weak-form identity ⟨E g, H̄⟩ = wd·E‖h_b‖² &gt; 0 of the rule of the
/// <c>rule</c> section at stationarity, in the A-E1 setting, and its whitened one-layer form from A-E2's σ = 0 members.
/// </summary>
public sealed partial class Hebbian
{
    private IReadOnlyList<Claim> RunWeakForm(Config config, RunContext ctx, WhitenedMeans whitened)
    {
        var c = config.Decay;
        var w = config.WeakForm;
        int s = config.Seeds;
        double gamma = config.Rule.L2;
        var data = MlpTeacherData(c, s, m => ctx.SeedStream(m, "decay.data"));
        var pop = ctx.Population($"weak-form.{config.Rule.Name}", PopulationLayout.OfSeeds(s).With("weight_decay", [gamma]));
        var run = TrainMlp(ctx, config, pop, c, config.ProbeEvery, data, config.Rule, null, w.Steps, 0.01, w.Window);
        var stationarity = new double[s];
        var weak = new double[s];
        double identityError = 0;
        var details = new List<string>();
        for (int m = 0; m < s; m++)
        {
            stationarity[m] = double.PositiveInfinity;
            weak[m] = double.PositiveInfinity;
            for (int l = 0; l < 2; l++)
            {
                // ḡ = −mean Grad.
                var gbar = run.MeanSignal![l][m].Mean.Clone();
                System.Numerics.Tensors.TensorPrimitives.Negate(gbar.ReadOnlySpan, gbar.Span);
                var hbar = run.MeanHebbian![l][m].Mean;
                double stat = HebbianAlignment.StationarityCosine(gbar, run.MeanWeight![l][m].Mean, gamma);
                double cos = MatrixAlignment.FrobeniusCosine(gbar.ReadOnlySpan, hbar.ReadOnlySpan);
                double inner = System.Numerics.Tensors.TensorPrimitives.Dot(gbar.ReadOnlySpan, hbar.ReadOnlySpan);
                double identity = inner / (gamma * run.PostNorm![l][m].Mean);
                stationarity[m] = Math.Min(stationarity[m], stat);
                weak[m] = Math.Min(weak[m], cos);
                identityError = Math.Max(identityError, double.IsFinite(identity) ? Math.Abs(identity - 1) : double.PositiveInfinity);
                details.Add($"seed {ctx.Seed + m} layer {l + 1}: cos(ḡ, wd·W̄) {Claim.Format(stat)}, cos(ḡ, H̄) {Claim.Format(cos)}, ⟨ḡ, H̄⟩/(wd·E‖h_b‖²) {Claim.Format(identity)}");
                pop.Log(w.Steps, m, $"l{l + 1}", "stationarity_cosine", stat);
                pop.Log(w.Steps, m, $"l{l + 1}", "mean_signal_hebbian_cosine", cos);
                pop.Log(w.Steps, m, $"l{l + 1}", "weak_form_identity_ratio", identity);
            }
        }
        ctx.Metrics.Flush();
        var white = whitened.Cosines;
        var whiteWorst = white.MinBy(x => x.Cosine);
        string rule = config.Rule.Name;
        return
        [
            Claim.AtLeast("A-E3.stationarity",
                $"Rule '{rule}' with wd={Claim.Format(gamma)} reaches stationarity after {w.Steps} steps (≥ 5/(η·wd)): cos(ḡ, wd·W̄) ≥ 0.9 over the last {w.Window} steps (worst seed and layer)",
                stationarity.Min(), 0.9, string.Join("; ", details)),
            Claim.AtLeast("A-E3.weak-form",
                $"Weak form (docs/experiments/hebbian.md#a-e3weak-form): the mean signal of rule '{rule}' is Hebbian, ⟨ḡ, H̄⟩_F > 0, measured as cos(ḡ, H̄) (worst seed and layer; theory ⟨ḡ, H̄⟩ = wd·E‖h_b‖²)",
                weak.Min(), 0, SeedList(ctx, weak)).AsCheck(),
            Claim.AtMost("A-E3.identity-ratio",
                $"The identity itself: ⟨ḡ, H̄⟩ / (wd·E‖h_b‖²) = 1 for rule '{rule}' at stationarity; |ratio − 1| (worst seed and layer)",
                identityError, 0.05, string.Join("; ", details)).AsCheck(),
            Claim.AtLeast("A-E3.whitened",
                "With whitened inputs and one linear layer (A-E2, σ = 0) H̄ ∝ W ∝ ḡ, so cos(ḡ, H̄) ≥ 0.9 (worst seed and wd)",
                whiteWorst.Cosine, 0.9, string.Join(", ", white.Select(x => $"seed {ctx.Seed + x.Seed} wd={Claim.Format(x.Gamma)}: {Claim.Format(x.Cosine)}"))),
        ];
    }
}
