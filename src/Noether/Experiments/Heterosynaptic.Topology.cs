using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// heterosynaptic B-E4 (docs/experiments/heterosynaptic.md#b-e4-setting): learning under sparse, randomly initialised (amorphous)
/// connectivity, masks on the feedback V alone or on V and W1, with the rule of the <c>rule</c> section. At every density the rule
/// is compared with the topology-matched reference (feedback fixed at M⊙W2ᵀ, the masked rule's heterosynaptic-stability point
/// with φ = 1) and with feedback alignment through the same mask (fixed random V(0)), on the same seeds, masks and batches.
/// </summary>
public sealed partial class Heterosynaptic
{
    /// <summary>One circuit's measurements per member: loss before and after training, φ̂ and cos(ΔW1, −∇W1) over the window.</summary>
    private sealed record TopologyRun(double[] Initial, double[] Loss, double[] Phi, double[] Cos);

    /// <summary>One mask variant and density, per seed: the rule's loss drop, φ̂, cos and loss / matched loss, beside the references'.</summary>
    private sealed record TopologyRow(string Label, double Density, double[] Drop, double[] Phi, double[] Cos, double[] OverMatched,
        double[] FaPhi, double[] FaCos, double[] MatchedCos, double[] FaOverMatched);

    private IReadOnlyList<Claim> RunTopology(Config config, RunContext ctx, TrainingData<double> data)
    {
        var n = config.Network;
        var tp = config.Topology;
        int s = config.Seeds;
        double l2 = config.Rule.L2;
        var rows = new List<TopologyRow>();
        foreach (bool forward in new[] { false, true })
        {
            var densities = forward ? tp.Densities.Where(d => d < 1).ToArray() : tp.Densities;
            if (densities.Length == 0) continue;
            int k = densities.Length, p = k * s;
            var perMember = new RuleConfig.PerMember { Density = Enumerable.Range(0, p).Select(m => densities[m % k]).ToArray() };
            var layout = PopulationLayout.OfSeeds(s).With("density", densities);
            string suffix = forward ? "feedback+forward" : "feedback";
            // The three circuits share init, V(0), masks and batches (seed streams): they differ only in how the error reaches the hidden layer.
            var rule = config.Rule.Clone();
            rule.MaskForward = forward;
            var plastic = TopologyCircuit(ctx, config, data, $"topology.{suffix}", layout, (net, streams) => rule.Build(net, streams, perMember).Rules);
            var matched = TopologyCircuit(ctx, config, data, $"topology.matched-{suffix}", layout, (net, streams) =>
                [new TransposeFeedback<double>(net), new ConnectivityMask<double>(net, streams, perMember.Density, forward ? perMember.Density : null), new CoupledL2<double>(net, Enumerable.Repeat(l2, p).ToArray())]);
            var fa = new RuleConfig { Name = "fa", FeedbackStd = config.Rule.FeedbackStd, MaskForward = forward, L2 = l2 };
            var frozen = TopologyCircuit(ctx, config, data, $"topology.fa-{suffix}", layout, (net, streams) => fa.Build(net, streams, perMember).Rules);
            for (int j = 0; j < k; j++)
            {
                var members = Enumerable.Range(0, s).Select(si => si * k + j).ToArray();
                double[] Of(Func<int, double> f) => members.Select(f).ToArray();
                rows.Add(new($"{(forward ? "V and W1" : "V")} at p={Claim.Format(densities[j])}", densities[j],
                    Of(m => (plastic.Initial[m] - plastic.Loss[m]) / plastic.Initial[m]), Of(m => plastic.Phi[m]), Of(m => plastic.Cos[m]),
                    Of(m => plastic.Loss[m] / matched.Loss[m]), Of(m => frozen.Phi[m]), Of(m => frozen.Cos[m]), Of(m => matched.Cos[m]),
                    Of(m => frozen.Loss[m] / matched.Loss[m])));
            }
        }
        string List(double[] v) => string.Join(", ", v.Select(Claim.Format));
        string table = string.Join("; ", rows.Select(r => $"{r.Label}: loss drop {List(r.Drop)}, φ̂ {List(r.Phi)} (FA {List(r.FaPhi)}), cos {List(r.Cos)} (matched {List(r.MatchedCos)}, FA {List(r.FaCos)}), loss/matched {List(r.OverMatched)} (FA {List(r.FaOverMatched)})"))
            + $" (seeds {ctx.Seed}..{ctx.Seed + s - 1} in order)";
        var reference = rows.Where(r => r.Density == tp.ReferenceDensity).ToArray();
        var idx = rows.Select((_, i) => (double)i).ToArray();
        Series Bar(string name, Func<TopologyRow, double[]> f) =>
            new(name, idx, rows.Select(r => f(r).Average()).ToArray()) { Spread = rows.Select(r => Series.StandardDeviation(f(r))).ToArray() };
        ctx.Figures.Add(new Figure("topology", $"B-E4: sparse connectivity, rule {config.Rule.Name}", "bar", "connectivity", "value")
        {
            Categories = rows.Select(r => r.Label).ToArray(),
            Series = [Bar("loss drop", r => r.Drop), Bar("φ̂", r => r.Phi), Bar("cos(ΔW1, −∇W1)", r => r.Cos), Bar("cos, matched M⊙W2ᵀ", r => r.MatchedCos), Bar("cos, FA", r => r.FaCos), Bar("loss / matched", r => r.OverMatched)],
            Caption = "Mean ± sd over seeds: the rule with sparse, randomly initialised (amorphous) feedback against the topology-matched reference (feedback M⊙W2ᵀ) and feedback alignment through the same mask.",
        });
        var claims = new List<Claim>
        {
            Claim.AtLeast("B-E4.learns",
                $"Rule '{config.Rule.Name}' with random (amorphous) V(0) and sparse masks on V, or on V and W1, at densities {string.Join(", ", tp.Densities.Select(Claim.Format))}: training loss drops ≥ 70% from its initial value (smallest over conditions and seeds)",
                rows.Min(r => r.Drop.Min()), 0.7, table),
            Claim.AtLeast("B-E4.phi",
                "Sparse feedback stays consistent: φ̂ > 0 in every condition (smallest over conditions and seeds)",
                rows.Min(r => r.Phi.Min()), 0),
            Claim.AtLeast("B-E4.alignment-vs-fa",
                "Alignment: cos(ΔW1, −∇W1) minus that of feedback alignment through the same mask, > 0 in every condition (smallest over conditions and seeds)",
                rows.Min(r => r.Cos.Zip(r.FaCos, (a, b) => a - b).Min()), 0),
        };
        if (reference.Length > 0)
            claims.Add(Claim.AtMost("B-E4.half-density-loss",
                $"At density p={Claim.Format(tp.ReferenceDensity)} the loss is ≤ 2× the topology-matched reference's (feedback M⊙W2ᵀ, same masks; largest over mask variants and seeds)",
                reference.Max(r => r.OverMatched.Max()), 2));
        return claims;
    }

    /// <summary>Trains one B-E4 circuit for network.steps and measures it (<see cref="TopologyRun"/>); the phase name is its population's.</summary>
    private static TopologyRun TopologyCircuit(RunContext ctx, Config config, TrainingData<double> data, string phase, PopulationLayout layout,
        Func<Sequential<double>, MemberStreams, IEnumerable<LearningRule<double>>> rules)
    {
        var n = config.Network;
        var circuit = BuildCircuit(ctx, config, ctx.Population(phase, layout), "", [n.InputDim, n.Hidden, n.OutputDim], data, n.Batch, n.Lr, rules);
        var meter = Meter(circuit, n.Steps - config.Consistency.Window);
        var initial = circuit.Trainer.EvaluateLoss();
        Train(ctx, circuit, phase, n.Steps, config.ProbeEvery);
        var loss = circuit.Trainer.EvaluateLoss();
        var run = new TopologyRun(initial, loss, meter.Phi.Select(a => a.Mean).ToArray(), meter.Cos.Select(a => a.Mean).ToArray());
        for (int m = 0; m < loss.Length; m++)
        {
            circuit.Pop.Log(n.Steps, circuit.Member(m), "initial_loss", initial[m]);
            circuit.Pop.Log(n.Steps, circuit.Member(m), "train_loss", loss[m]);
            circuit.Pop.Log(n.Steps, circuit.Member(m), "phi_hat", run.Phi[m]);
            circuit.Pop.Log(n.Steps, circuit.Member(m), "update_gradient_cosine", run.Cos[m]);
        }
        ctx.Metrics.Flush();
        return run;
    }
}
