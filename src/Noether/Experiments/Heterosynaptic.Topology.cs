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
    private sealed record TopologyRun(double[] Initial, double[] Loss, double[] Phi, double[] Cos)
    {
        /// <summary>The measurements of the given members, in their order.</summary>
        public TopologyRun Of(int[] members) => new(members.Select(m => Initial[m]).ToArray(), members.Select(m => Loss[m]).ToArray(),
            members.Select(m => Phi[m]).ToArray(), members.Select(m => Cos[m]).ToArray());

        public double[] Drop => Initial.Zip(Loss, (i, l) => (i - l) / i).ToArray();
    }

    /// <summary>One mask variant and density, per seed: the rule, the topology-matched reference (M⊙W2ᵀ) and feedback alignment.</summary>
    private sealed record TopologyRow(string Label, double Density, TopologyRun Rule, TopologyRun Matched, TopologyRun Fa)
    {
        public double[] PhiOverMatched => Rule.Phi.Zip(Matched.Phi, (r, m) => r / m).ToArray();
        public double[] CosOverMatched => Rule.Cos.Zip(Matched.Cos, (r, m) => r / m).ToArray();
        public double[] CosOverFa => Rule.Cos.Zip(Fa.Cos, (r, f) => r - f).ToArray();
        public double[] LossOverMatched => Rule.Loss.Zip(Matched.Loss, (r, m) => r / m).ToArray();
        public double[] FaLossOverMatched => Fa.Loss.Zip(Matched.Loss, (f, m) => f / m).ToArray();
    }

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
                rows.Add(new($"{(forward ? "V and W1" : "V")} at p={Claim.Format(densities[j])}", densities[j], plastic.Of(members), matched.Of(members), frozen.Of(members)));
            }
        }
        string List(double[] v) => string.Join(", ", v.Select(Claim.Format));
        string Table(Func<TopologyRow, string> f) => string.Join("; ", rows.Select(r => $"{r.Label}: {f(r)}")) + $" (seeds {ctx.Seed}..{ctx.Seed + s - 1} in order)";
        var reference = rows.Where(r => r.Density == tp.ReferenceDensity).ToArray();
        var idx = rows.Select((_, i) => (double)i).ToArray();
        Series Bar(string name, Func<TopologyRow, double[]> f) =>
            new(name, idx, rows.Select(r => f(r).Average()).ToArray()) { Spread = rows.Select(r => Series.StandardDeviation(f(r))).ToArray() };
        ctx.Figures.Add(new Figure("topology", $"B-E4: sparse connectivity, rule {config.Rule.Name}", "bar", "connectivity", "value")
        {
            Categories = rows.Select(r => r.Label).ToArray(),
            Series = [Bar("loss drop", r => r.Rule.Drop), Bar("φ̂", r => r.Rule.Phi), Bar("cos(ΔW1, −∇W1)", r => r.Rule.Cos), Bar("cos, matched M⊙W2ᵀ", r => r.Matched.Cos),
                Bar("cos, feedback alignment", r => r.Fa.Cos), Bar("loss / matched", r => r.LossOverMatched)],
            Caption = "Mean ± sd over seeds: the rule with sparse, randomly initialised (amorphous) feedback against the topology-matched reference (feedback M⊙W2ᵀ) and feedback alignment through the same mask.",
        });
        string setting = $"Rule '{config.Rule.Name}' with random (amorphous) V(0) and sparse masks M on V, or on V and W1, at densities {string.Join(", ", tp.Densities.Select(Claim.Format))}";
        string matchedRef = "the topology-matched reference (feedback fixed at M⊙W2ᵀ, same masks, seeds and batches; backprop at density 1)";
        var claims = new List<Claim>
        {
            Claim.AtLeast("B-E4.learns",
                $"{setting}: the circuit trains, training loss drops ≥ 70% from its initial value (smallest over conditions and seeds)",
                rows.Min(r => r.Rule.Drop.Min()), 0.7,
                Table(r => $"loss drop {List(r.Rule.Drop)} (matched {List(r.Matched.Drop)}, feedback alignment {List(r.Fa.Drop)})")).AsCheck(),
            Claim.AtLeast("B-E4.phi",
                $"{setting}: sparse feedback stays consistent, φ̂ ≥ 0.1× the φ̂ of {matchedRef} in every condition (smallest ratio over conditions and seeds)",
                rows.Min(r => r.PhiOverMatched.Min()), 0.1,
                Table(r => $"φ̂ {List(r.Rule.Phi)} (matched {List(r.Matched.Phi)}, feedback alignment {List(r.Fa.Phi)})")),
            Claim.AtLeast("B-E4.alignment",
                $"{setting}: the update of W1 follows the gradient as far as the topology allows, cos(ΔW1, −∇W1) ≥ 0.5× that of {matchedRef} in every condition (smallest ratio over conditions and seeds)",
                rows.Min(r => r.CosOverMatched.Min()), 0.5,
                Table(r => $"cos {List(r.Rule.Cos)} (matched {List(r.Matched.Cos)}, feedback alignment {List(r.Fa.Cos)})")),
            Claim.AtLeast("B-E4.beats-feedback-alignment",
                $"{setting}: the plastic feedback aligns the update of W1 better than fixed random feedback through the same mask (feedback alignment, same V(0)), cos(ΔW1, −∇W1) − cos of feedback alignment > 0 in every condition (smallest difference over conditions and seeds)",
                rows.Min(r => r.CosOverFa.Min()), 0,
                Table(r => $"difference {List(r.CosOverFa)}")),
        };
        if (reference.Length > 0)
            claims.Add(Claim.AtMost("B-E4.half-density-loss",
                $"{setting}: at density p={Claim.Format(tp.ReferenceDensity)} the loss is ≤ 2× that of {matchedRef} (largest over mask variants and seeds)",
                reference.Max(r => r.LossOverMatched.Max()), 2,
                Table(r => $"loss / matched {List(r.LossOverMatched)} (feedback alignment {List(r.FaLossOverMatched)})")));
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
