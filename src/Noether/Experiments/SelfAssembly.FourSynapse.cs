namespace Noether.Experiments;

/// <summary>
/// self-assembly's C-E3 (docs/experiments/self-assembly.md#c-e3routing): the PROJECT'S HYPOTHESIS of the paper's "four plastic
/// synapses" (<see cref="Learning.Rules.CrossProjectionFeedback{T}"/>), not the paper's equations. Besides the feedback, the loss and
/// the relays' identity cosines cos(P, I), cos(Q, I), the functional routing cos(P H, H) and cos(Q Δ, Δ) on the batch: a relay
/// need only copy the directions its signal occupies.
/// </summary>
public sealed partial class SelfAssembly
{
    private static IEnumerable<Claim> FourSynapseClaims(Config config, RunContext ctx, RuleRun four, RuleRun bp, Func<RuleRun, Func<List<double>, double>, string> layers)
    {
        int s = config.Seeds;
        string rule = !config.FourSynapse.Plastic ? "nothing (frozen: control)" : config.FourSynapse.Normalised ? "a normalised delta rule (n·C/tr C)" : "a plain delta rule";
        string hypothesis = $"[PROJECT HYPOTHESIS of the four-synapse circuit, not the paper's equations: plastic, randomly initialised cross-projections P (h to B's site) and Q (δ to W's site) learning to relay their source by {rule} with decay]";
        var routing = four.RelayUp!.Concat(four.RelayDown!).ToArray();
        var routed = four.RoutedUp!.Concat(four.RoutedDown!).ToArray();
        string Relay(List<double>[][] r, string name) => string.Join("; ", Enumerable.Range(0, s).Select(m =>
            $"seed {ctx.Seed + m}: " + string.Join(", ", r.Select((l, k) => $"{name}{k + 1} {Claim.Format(l[m].Count > 0 ? l[m][^1] : double.NaN)}"))));
        var fourRatio = Enumerable.Range(0, s).Select(m => four.Loss[m] / bp.Loss[m]).ToArray();
        yield return Claim.AtLeast("C-E3.feedback",
            $"{hypothesis} The descending feedback still self-assembles: cos(B_l, W_lᵀ) ≥ 0.85 in every layer (smallest over layers and seeds)",
            four.CosT.Min(l => l.Min(m => m[^1])), 0.85, layers(four, c => c[^1]));
        yield return Claim.AtLeast("C-E3.routing",
            $"{hypothesis} The routing converges: cos(P_l, I) and cos(Q_l, I) ≥ 0.8 for every cross-projection (smallest over projections and seeds)",
            routing.Min(l => l.Min(m => m[^1])), 0.8, $"{Relay(four.RelayUp!, "P")}; {Relay(four.RelayDown!, "Q")}");
        yield return Claim.AtLeast("C-E3.functional-routing",
            $"{hypothesis} The relays route the signals that occur: cos(P_l H, H) and cos(Q_l Δ, Δ) on the last batch ≥ 0.8 for every cross-projection (the routing criterion applied to what each relay carries; smallest over projections and seeds)",
            routed.Min(l => l.Min(m => m.Count > 0 ? m[^1] : double.NaN)), 0.8, $"{Relay(four.RoutedUp!, "P")}; {Relay(four.RoutedDown!, "Q")}");
        yield return Claim.AtMost("C-E3.learning",
            $"{hypothesis} The circuit learns: final loss ≤ 1.2× backprop (worst seed)",
            fourRatio.Max(), 1.2, SeedList(ctx, fourRatio));
    }
}
