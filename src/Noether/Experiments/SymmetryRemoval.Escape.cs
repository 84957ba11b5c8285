using Noether.Nn;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// syre's random-perturbation controls and escape times (docs/experiments/syre.md#random-perturbation-and-strong-decay).
/// At a symmetric state the gradient of ℓ + γ‖θ‖² has no symmetry-breaking component, and the Hessian splits into a
/// symmetric and a symmetry-breaking block; weight decay adds 2γ to the latter. Whether a random perturbation of the
/// trap escapes is therefore decided by that block: below the critical decay the trap is a saddle and any asymmetry grows;
/// above it the trap is a minimum, the perturbation decays and the symmetry is restored, while syre's frozen θ₀ keeps the
/// symmetric state from being stationary at every γ. The perturbed arms are vanilla weight decay started from the trap
/// plus ε ~ N(0, σ²) on every parameter (σ the size of syre's θ₀): one per syre γ below the critical decay (σ the smallest
/// σ₀ of the syre arms at that γ), and a strong-decay pair, syre and vanilla + noise at γ = strong_gamma, σ = syre.sigma0.
/// The escape step of an arm is the first step at which its training loss is at most half vanilla's at the same γ, seed
/// and step (the 0.5 of G.syre-loss).
/// </summary>
public sealed partial class SymmetryRemoval
{
    /// <summary>The perturbed arms and the strong-decay pair (vanilla at strong_gamma if missing, syre and vanilla + noise there).</summary>
    private static void AddControlArms(Config c, List<Arm> arms)
    {
        foreach (var g in arms.Where(a => a.Kind == "syre").GroupBy(a => a.Gamma).ToList())
        {
            double sigma = g.Min(a => a.Sigma0);
            arms.Add(new Arm($"vanilla+noise γ={g.Key} σ={sigma}", "perturbed", g.Key, sigma));
        }
        if (!arms.Any(a => a.Kind == "vanilla" && a.Gamma == c.StrongGamma)) arms.Add(new Arm($"vanilla γ={c.StrongGamma}", "vanilla", c.StrongGamma, 0));
        arms.Add(new Arm($"syre γ={c.StrongGamma} σ₀={c.Syre.Sigma0} (strong decay)", "syre", c.StrongGamma, c.Syre.Sigma0, Strong: true));
        arms.Add(new Arm($"vanilla+noise γ={c.StrongGamma} σ={c.Syre.Sigma0} (strong decay)", "perturbed", c.StrongGamma, c.Syre.Sigma0, Strong: true));
    }

    /// <summary>Adds ε ~ N(0, σ²) to every parameter entry of member <paramref name="member"/>.</summary>
    private static void Perturb(Sequential<float> net, int member, double sigma, Rng rng)
    {
        foreach (var prm in net.Parameters)
        {
            var v = prm.Value.SliceSpan(member);
            for (int j = 0; j < v.Length; j++) v[j] += (float)(sigma * rng.Normal());
        }
    }

    /// <summary>
    /// Records, for every member with a reference (vanilla at its γ and seed), the first step whose full-batch loss is at most
    /// half the reference's at the same step (NaN until then). The steps are a curve of the phase, saved with its checkpoints.
    /// </summary>
    private static Curves TrackEscape(Trainer<float> trainer, int[] reference)
    {
        var escape = new Curves(1);
        escape[0].AddRange(Enumerable.Repeat(double.NaN, reference.Length));
        trainer.AfterUpdate.Add(t =>
        {
            var first = escape[0];
            for (int m = 0; m < reference.Length; m++)
                if (reference[m] >= 0 && double.IsNaN(first[m]) && t.LastLoss[m] <= 0.5 * t.LastLoss[reference[m]]) first[m] = t.Step;
        });
        return escape;
    }

    /// <summary>The claims on every syre arm, the perturbed arms and the strong-decay pair (docs/experiments/syre.md#claims-checked).</summary>
    private static IEnumerable<Claim> ControlClaims(Config c, List<Arm> arms, int seeds, Func<int, int, int> member, Func<double, int> vanillaAt,
        double[] final, double[] finalRank, double[] escape, Func<Func<int, double>, string> perSeed)
    {
        var weakSyre = Enumerable.Range(0, arms.Count).Where(a => arms[a].Kind == "syre" && !arms[a].Strong).ToList();
        var weakNoise = Enumerable.Range(0, arms.Count).Where(a => arms[a].Kind == "perturbed" && !arms[a].Strong).ToList();
        int strongSyre = arms.FindIndex(a => a.Kind == "syre" && a.Strong), strongNoise = arms.FindIndex(a => a.Kind == "perturbed" && a.Strong);
        double Ratio(int a, int s) => final[member(a, s)] / final[member(vanillaAt(arms[a].Gamma), s)];
        string Text(IEnumerable<int> which, Func<int, int, double> f) => string.Join("; ", which.Select(a => $"{arms[a].Name}: {perSeed(s => f(a, s))}"));
        double Escape(int a, int s) => escape[member(a, s)];
        string escapeText = "escape step (first step with loss ≤ ½ vanilla's) against γσ₀: " + string.Join("; ",
            weakSyre.OrderBy(a => arms[a].Gamma * arms[a].Sigma0).Select(a => $"γσ₀={Claim.Format(arms[a].Gamma * arms[a].Sigma0)} ({arms[a].Name}): {perSeed(s => Escape(a, s))}"))
            + "; vanilla + noise: " + Text(weakNoise, Escape);
        yield return Claim.AtMost("G.syre-loss-every-arm",
            $"Every syre arm fits the teacher far better than vanilla at its own γ: training loss ratio syre/vanilla (largest over the arms {string.Join(", ", weakSyre.Select(a => $"(γ={arms[a].Gamma}, σ₀={arms[a].Sigma0})"))} and {seeds} seeds)",
            weakSyre.SelectMany(a => Enumerable.Range(0, seeds).Select(s => Ratio(a, s))).Max(), 0.5,
            Text(weakSyre, Ratio) + "; " + escapeText);
        yield return Claim.AtMost("G.noise-escapes-saddle",
            $"Below the critical decay the trap is a saddle: vanilla started from it plus noise ε ~ N(0, σ²) of syre's size escapes as well: training loss ratio (vanilla + noise)/vanilla at the same γ (largest over γ ∈ {{{string.Join(", ", weakNoise.Select(a => arms[a].Gamma))}}} and seeds)",
            weakNoise.SelectMany(a => Enumerable.Range(0, seeds).Select(s => Ratio(a, s))).Max(), 0.5,
            Text(weakNoise, Ratio) + "; escape step: " + Text(weakNoise, Escape));
        yield return Claim.AtMost("G.decay-restores",
            $"Above the critical decay (γ = {c.StrongGamma}) the trap is a minimum: the same perturbation (σ = {c.Syre.Sigma0}) decays and vanilla returns to the one-neuron state: rank W₁ after {c.Steps} steps (largest of the seeds)",
            Enumerable.Range(0, seeds).Max(s => finalRank[member(strongNoise, s)]), 1,
            perSeed(s => finalRank[member(strongNoise, s)]) + $"; loss ratio to vanilla: {perSeed(s => Ratio(strongNoise, s))}");
        yield return Claim.AtLeast("G.syre-breaks-restored",
            $"… while syre at the same γ and σ₀ keeps the symmetric state from being stationary: rank W₁ (smallest of the seeds)",
            Enumerable.Range(0, seeds).Min(s => finalRank[member(strongSyre, s)]), 2,
            perSeed(s => finalRank[member(strongSyre, s)]) + $"; loss ratio to vanilla: {perSeed(s => Ratio(strongSyre, s))}");
    }

    private static void EscapeFigure(RunContext ctx, List<Arm> arms, int seeds, Func<int, int, int> member, double[] escape)
    {
        var weakSyre = Enumerable.Range(0, arms.Count).Where(a => arms[a].Kind == "syre" && !arms[a].Strong).OrderBy(a => arms[a].Gamma * arms[a].Sigma0).ToList();
        ctx.Figures.Add(new Figure("escape-time", "Escape step of syre against γσ₀", "scatter", "γσ₀", "escape step")
        {
            LogX = true,
            Caption = "First step at which the training loss is at most half vanilla's at the same γ; syre's symmetry-breaking force at the trap is of order γσ₀.",
            Series = Enumerable.Range(0, seeds).Select(s => new Series($"seed {PopulationLayout.SeedOf(ctx.Seed, s)}",
                weakSyre.Select(a => arms[a].Gamma * arms[a].Sigma0).ToArray(), weakSyre.Select(a => escape[member(a, s)]).ToArray())).ToList(),
        });
    }
}
