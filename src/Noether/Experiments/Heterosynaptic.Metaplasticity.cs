using Noether.Learning.Rules;
using Noether.Nn;
using Noether.Probes;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// heterosynaptic B-E3 (docs/experiments/heterosynaptic.md#b-e3-setting): copies of one circuit that differ only in the
/// plasticity history of their feedback weights V get the same probe event and give different updates of W1. The claim
/// is the digest's history (V alone with the rule flipped to c = −1); an inverted teaching signal under the same rule is
/// an extra, separately labelled claim.
/// </summary>
public sealed partial class Heterosynaptic
{
    private IReadOnlyList<Claim> RunMetaplasticity(Config config, RunContext ctx, TrainingData<double> data)
    {
        var n = config.Network;
        var mp = config.Metaplasticity;
        double l2 = config.Rule.L2;
        // Three copies per seed (members 3i, 3i+1, 3i+2) share init, V(0) and batches, so they are identical after
        // the common history: copy 1 is then left alone, copy 2 is primed by an inverted teaching signal with
        // the same rule, copy 3 gets the digest's history (the rule itself flipped to c = history_coefficient).
        const int copies = 3;
        int s = config.Seeds, p = copies * s;
        PlasticFeedback<double>? rule = null;
        var pop = ctx.Population("metaplasticity", PopulationLayout.OfSeeds(s).With("copy", ["plain", "primed", "rule-flip"]));
        var circuit = BuildCircuit(ctx, config, pop, "", [n.InputDim, n.Hidden, n.OutputDim], data, n.Batch, n.Lr, (net, streams) =>
            [rule = PlasticFeedback<double>.Dendritic(net, streams, Enumerable.Repeat(1.0, p).ToArray(), Enumerable.Repeat(config.Rule.FeedbackDecay, p).ToArray(), config.Rule.FeedbackStd),
             new CoupledL2<double>(net, Enumerable.Repeat(l2, p).ToArray())], ownData: true);
        Train(ctx, circuit, "metaplasticity.common", mp.TrainSteps, config.ProbeEvery);

        bool history = false;
        var weights = circuit.Net.Parameters.Where(prm => prm.Role == ParameterRole.Weight).ToArray();
        circuit.Trainer.AfterBackward.Add(_ =>
        {
            // During the history only V changes in copies 2 and 3: their forward weights get no update.
            if (!history) return;
            for (int si = 0; si < s; si++)
                for (int copy = 1; copy < copies; copy++)
                    foreach (var w in weights) w.Grad.SliceSpan(copies * si + copy).Clear();
        });
        history = true;
        for (int si = 0; si < s; si++)
        {
            circuit.Trainer.Optimizer.LearningRate[copies * si] = 0;
            var primed = circuit.Trainer.Data.OwnTargets(copies * si + 1);
            for (int i = 0; i < primed.Length; i++) primed[i] = -primed[i];
            rule!.Coefficient[copies * si + 2] = mp.HistoryCoefficient;
        }
        Train(ctx, circuit, "metaplasticity.history", mp.HistorySteps, config.ProbeEvery);

        // The same probe event (x0, e0) for every copy: ΔW1 = −((V e0) ⊙ f'(a(x0))) x0ᵀ, with identical x0 and a(x0).
        var net = circuit.Net;
        var x0 = new Tensor<double>(p, 1, n.InputDim);
        var e0 = new Tensor<double>(p, 1, n.OutputDim);
        for (int si = 0; si < s; si++)
        {
            var probe = ctx.SeedStream(si, "metaplasticity.probe");
            var x = new double[n.InputDim];
            var err = new double[n.OutputDim];
            for (int i = 0; i < x.Length; i++) x[i] = probe.Normal();
            for (int i = 0; i < err.Length; i++) err[i] = probe.Normal() / Math.Sqrt(n.OutputDim);
            for (int copy = 0; copy < copies; copy++) { x.CopyTo(x0.SliceSpan(copies * si + copy)); err.CopyTo(e0.SliceSpan(copies * si + copy)); }
        }
        net.Forward(x0);
        net.Backward(e0);
        var w1 = net.Linears.First().Weight.Grad;
        (double Cos, double Ratio, double Contrast) Compare(int si, int copy)
        {
            var d1 = w1.SliceSpan(copies * si);
            var d2 = w1.SliceSpan(copies * si + copy);
            double cos = MatrixAlignment.FrobeniusCosine(d1, d2);
            double ratio = Math.Sqrt(System.Numerics.Tensors.TensorPrimitives.SumOfSquares(d2) / System.Numerics.Tensors.TensorPrimitives.SumOfSquares(d1));
            // Opposite (cos ≤ −0.5) or ≥ 2× different in size either way ⇔ contrast ≥ 1.
            return (cos, ratio, Math.Max(-cos / 0.5, Math.Max(ratio, 1 / ratio) / 2));
        }
        var primedResult = Enumerable.Range(0, s).Select(si => Compare(si, 1)).ToArray();
        var flippedResult = Enumerable.Range(0, s).Select(si => Compare(si, 2)).ToArray();
        long end = mp.TrainSteps + mp.HistorySteps;
        for (int si = 0; si < s; si++)
        {
            pop.Log(end, pop.Layout.Member(si, 1), "probe_update_cosine", primedResult[si].Cos);
            pop.Log(end, pop.Layout.Member(si, 1), "probe_update_norm_ratio", primedResult[si].Ratio);
            pop.Log(end, pop.Layout.Member(si, 2), "probe_update_cosine", flippedResult[si].Cos);
            pop.Log(end, pop.Layout.Member(si, 2), "probe_update_norm_ratio", flippedResult[si].Ratio);
        }
        ctx.Metrics.Flush();
        var seeds = Enumerable.Range(0, s).Select(si => (double)si).ToArray();
        // Cosines (in [−1, 1]) and norm ratios (up to ≈ 40) get a figure each: on one axis the cosines would be invisible.
        string[] seedNames = Enumerable.Range(0, s).Select(si => $"seed {ctx.Seed + si}").ToArray();
        string flippedLabel = $"rule flipped to c={Claim.Format(mp.HistoryCoefficient)}";
        ctx.Figures.Add(new Figure("metaplasticity-cosine", "B-E3: direction of the update after two histories of V", "bar", "seed", "cos(ΔW1 after history, ΔW1 unchanged)")
        {
            Categories = seedNames,
            Series =
            [
                new Series("primed by inverted teaching", seeds, primedResult.Select(r => r.Cos).ToArray()),
                new Series(flippedLabel, seeds, flippedResult.Select(r => r.Cos).ToArray()),
            ],
            Caption = "Identical pre- and postsynaptic activity, the update of W1 after each history of V against the unchanged copy's: the digest's history (V alone under the flipped rule, the claim) and the project's inverted teaching (an extra claim); cos ≤ −0.5 is an opposite update.",
        });
        ctx.Figures.Add(new Figure("metaplasticity-norm", "B-E3: size of the update after two histories of V", "bar", "seed", "‖ΔW1 after history‖ / ‖ΔW1 unchanged‖")
        {
            Categories = seedNames,
            LogY = true,
            Series =
            [
                new Series("primed by inverted teaching", seeds, primedResult.Select(r => r.Ratio).ToArray()),
                new Series(flippedLabel, seeds, flippedResult.Select(r => r.Ratio).ToArray()),
            ],
            Caption = "A ratio ≥ 2 or ≤ 0.5 is a different update for the same event (log scale).",
        });
        string Details((double Cos, double Ratio, double Contrast)[] r) =>
            string.Join("; ", Enumerable.Range(0, s).Select(si => $"seed {ctx.Seed + si}: cos {Claim.Format(r[si].Cos)}, norm ratio {Claim.Format(r[si].Ratio)}"));
        string Contrasts((double Cos, double Ratio, double Contrast)[] r) => SeedList(ctx, r.Select(x => x.Contrast));
        return
        [
            Claim.AtLeast("B-E3.metaplasticity",
                $"Metaplasticity (the digest's protocol): after {mp.TrainSteps} common steps (c = +1), one copy's V alone is updated for {mp.HistorySteps} steps with the rule flipped to c = {Claim.Format(mp.HistoryCoefficient)}, forward weights unchanged; the same probe event (x0, e0), with identical pre- and postsynaptic activity, then gives an opposite (cos ≤ −0.5) or ≥ 2× different update of W1 than in the unchanged copy: contrast max(−cos/0.5, max(ρ, 1/ρ)/2) ≥ 1 (worst seed)",
                flippedResult.Min(r => r.Contrast), 1,
                $"{Details(flippedResult)}; contrast — {Contrasts(flippedResult)}. At the trained weights the pairing h eᵀ is only of the size of the decay force λW2, so V moves ~ηλ|c| per step (docs/experiments/heterosynaptic.md#b-e3metaplasticity)"),
            Claim.AtLeast("B-E3.inverted-target-metaplasticity",
                $"Metaplasticity, the project's alternative history (not the digest's): after the same {mp.TrainSteps} common steps, V alone experiences {mp.HistorySteps} steps of an inverted teaching signal (targets −y) under the same rule c = +1; the same probe event then gives an opposite (cos ≤ −0.5) or ≥ 2× different update of W1: contrast ≥ 1 (worst seed)",
                primedResult.Min(r => r.Contrast), 1,
                $"{Details(primedResult)}; contrast — {Contrasts(primedResult)}"),
        ];
    }
}
