using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// heterosynaptic B-E4 (docs/experiments/heterosynaptic.md#b-e4-setting): learning under sparse, randomly initialised (amorphous)
/// connectivity, masks on the feedback V alone or on V and W1, with the rule of the <c>rule</c> section.
/// </summary>
public sealed partial class Heterosynaptic
{
    private IReadOnlyList<Claim> RunTopology(Config config, RunContext ctx, TrainingData<double> data, double[] bpLoss)
    {
        var n = config.Network;
        var tp = config.Topology;
        int s = config.Seeds;
        var results = new List<(string Label, double Density, double[] Drop, double[] Phi, double[] Ratio)>();
        foreach (bool forward in new[] { false, true })
        {
            var densities = forward ? tp.Densities.Where(d => d < 1).ToArray() : tp.Densities;
            if (densities.Length == 0) continue;
            int k = densities.Length, p = k * s;
            var rule = config.Rule.Clone();
            rule.MaskForward = forward;
            var perMember = new RuleConfig.PerMember { Density = Enumerable.Range(0, p).Select(m => densities[m % k]).ToArray() };
            string phase = forward ? "topology.feedback+forward" : "topology.feedback";
            var layout = PopulationLayout.OfSeeds(s).With("density", densities);
            var circuit = BuildCircuit(ctx, config, ctx.Population(phase, layout), "", [n.InputDim, n.Hidden, n.OutputDim], data, n.Batch, n.Lr,
                (net, streams) => rule.Build(net, streams, perMember).Rules);
            var meter = Meter(circuit, n.Steps - config.Consistency.Window);
            var initial = circuit.Trainer.EvaluateLoss();
            Train(ctx, circuit, phase, n.Steps, config.ProbeEvery);
            var loss = circuit.Trainer.EvaluateLoss();
            // A sparse W1 has fewer parameters: its learning is judged against backprop on the same masked network
            // (same mask streams, so the same masks); a sparse V alone leaves the forward network intact.
            var bpReference = Enumerable.Range(0, p).Select(m => bpLoss[m / k]).ToArray();
            if (forward)
            {
                var bpRule = new RuleConfig { Name = "backprop", MaskForward = true, L2 = config.Rule.L2 };
                var bp = BuildCircuit(ctx, config, ctx.Population("topology.backprop-forward-masked", layout), "", [n.InputDim, n.Hidden, n.OutputDim], data, n.Batch, n.Lr,
                    (net, streams) => bpRule.Build(net, streams, perMember).Rules);
                Train(ctx, bp, "topology.backprop-forward-masked", n.Steps, config.ProbeEvery);
                bpReference = bp.Trainer.EvaluateLoss();
            }
            for (int j = 0; j < k; j++)
            {
                var members = Enumerable.Range(0, s).Select(si => si * k + j).ToArray();
                results.Add(($"{(forward ? "V and W1" : "V")} at p={Claim.Format(densities[j])}", densities[j],
                    members.Select(m => (initial[m] - loss[m]) / initial[m]).ToArray(),
                    members.Select(m => meter.Phi[m].Mean).ToArray(),
                    members.Select(m => loss[m] / bpReference[m]).ToArray()));
                foreach (int m in members)
                {
                    circuit.Pop.Log(n.Steps, circuit.Member(m), "train_loss", loss[m]);
                    circuit.Pop.Log(n.Steps, circuit.Member(m), "phi_hat", meter.Phi[m].Mean);
                }
            }
            ctx.Metrics.Flush();
        }
        string table = string.Join("; ", results.Select(r => $"{r.Label}: loss drop {string.Join(", ", r.Drop.Select(Claim.Format))}, φ̂ {string.Join(", ", r.Phi.Select(Claim.Format))}, loss/BP {string.Join(", ", r.Ratio.Select(Claim.Format))}"));
        var reference = results.Where(r => r.Density == tp.ReferenceDensity).ToArray();
        var idx = results.Select((_, i) => (double)i).ToArray();
        ctx.Figures.Add(new Figure("topology", $"B-E4: sparse connectivity, rule {config.Rule.Name}", "bar", "connectivity", "value")
        {
            Categories = results.Select(r => r.Label).ToArray(),
            Series =
            [
                new Series("loss drop", idx, results.Select(r => r.Drop.Average()).ToArray()) { Spread = results.Select(r => Series.StandardDeviation(r.Drop)).ToArray() },
                new Series("φ̂", idx, results.Select(r => r.Phi.Average()).ToArray()) { Spread = results.Select(r => Series.StandardDeviation(r.Phi)).ToArray() },
                new Series("loss / BP", idx, results.Select(r => r.Ratio.Average()).ToArray()) { Spread = results.Select(r => Series.StandardDeviation(r.Ratio)).ToArray() },
            ],
            Caption = "Mean ± sd over seeds: sparse, randomly initialised (amorphous) feedback still gives φ̂ > 0 and learning; loss / BP is against backprop on the same forward network.",
        });
        var claims = new List<Claim>
        {
            Claim.AtLeast("B-E4.learns",
                $"Rule '{config.Rule.Name}' with random (amorphous) V(0) and sparse masks on V, or on V and W1, at densities {string.Join(", ", tp.Densities.Select(Claim.Format))}: training loss drops ≥ 70% from its initial value (smallest over conditions and seeds)",
                results.Min(r => r.Drop.Min()), 0.7, table),
            Claim.AtLeast("B-E4.phi",
                "Sparse feedback stays consistent: φ̂ > 0 in every condition (smallest over conditions and seeds)",
                results.Min(r => r.Phi.Min()), 0),
        };
        if (reference.Length > 0)
            claims.Add(Claim.AtMost("B-E4.half-density-loss",
                $"At density p={Claim.Format(tp.ReferenceDensity)} the loss is ≤ 2× backprop on the same forward network (largest over mask variants and seeds)",
                reference.Max(r => r.Ratio.Max()), 2));
        return claims;
    }
}
