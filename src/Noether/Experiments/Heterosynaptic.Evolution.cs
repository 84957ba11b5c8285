using Noether.Learning.Rules;
using Noether.Probes;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// heterosynaptic B-E2 (docs/experiments/heterosynaptic.md#b-e2-setting): evolution over the genome (a, b) of the dendritic rule
/// ΔV = −η(a·h eᵀ + b V), selected on task loss alone, against backprop, frozen feedback and the anti-rule a = −1 on the
/// same seeds; the selected rules have φ̂ &gt; 0 and learn like backprop.
/// </summary>
public sealed partial class Heterosynaptic
{
    private IReadOnlyList<Claim> RunEvolution(Config config, RunContext ctx)
    {
        var n = config.Network;
        var e = config.Evolution;
        double l2 = config.Rule.L2;
        int s = config.Seeds, q = e.Population, p = s * q;
        var data = TeacherData(n.InputDim, n.TeacherHidden, e.OutputDim, n.Samples, s, ctx, "evolution.data");
        int[] widths = [n.InputDim, e.Hidden, e.OutputDim];
        var genomeRng = Enumerable.Range(0, s).Select(si => ctx.SeedStream(si, "evolution.genome")).ToArray();
        var a = new double[p];
        var b = new double[p];
        for (int m = 0; m < p; m++)
        {
            a[m] = genomeRng[m / q].Normal();
            b[m] = genomeRng[m / q].Uniform(0, e.InitialBMax);
        }

        // References per seed: backprop (symmetric start), frozen random V, and the anti-rule a = −1.
        var refCoef = new double[3 * s];
        var refDecay = new double[3 * s];
        for (int si = 0; si < s; si++)
        {
            (refCoef[3 * si], refDecay[3 * si]) = (1, l2);
            (refCoef[3 * si + 1], refDecay[3 * si + 1]) = (0, 0);
            (refCoef[3 * si + 2], refDecay[3 * si + 2]) = (-1, e.InitialBMax / 2);
        }
        var refPop = ctx.Population("evolution.references", PopulationLayout.OfSeeds(s).With(
            ConditionAxis.Of("rule", ["backprop", "frozen-feedback", "anti-hebbian"]).And("c", refCoef.Take(3)).And("lambda_v", refDecay.Take(3))));
        var refs = BuildCircuit(ctx, config, refPop, "evolution.", widths, data, e.Batch, n.Lr, (net, streams) =>
            [PlasticFeedback<double>.Dendritic(net, streams, refCoef, refDecay, config.Rule.FeedbackStd), new CoupledL2<double>(net, Enumerable.Repeat(l2, 3 * s).ToArray())]);
        SymmetricStart(refs.Net, Enumerable.Range(0, s).Select(si => 3 * si));
        var (refFitness, refPhi) = Fitness(ctx, refs, e, "evolution.references", config.ProbeEvery);
        for (int m = 0; m < refFitness.Length; m++)
        {
            refPop.Log(e.Steps, refs.Member(m), "fitness", refFitness[m]);
            refPop.Log(e.Steps, refs.Member(m), "phi_hat", refPhi[m]);
        }
        var bpFit = Enumerable.Range(0, s).Select(si => refFitness[3 * si]).ToArray();
        var frozenFit = Enumerable.Range(0, s).Select(si => refFitness[3 * si + 1]).ToArray();
        var antiFit = Enumerable.Range(0, s).Select(si => refFitness[3 * si + 2]).ToArray();

        var fracPositive = new double[e.Generations][];
        var best = new double[e.Generations][];
        var median = new double[e.Generations][];
        var meanA = new double[e.Generations][];
        for (int gen = 0; gen < e.Generations; gen++)
        {
            var genA = (double[])a.Clone();
            var genB = (double[])b.Clone();
            var genPop = ctx.Population($"evolution.gen{gen}", PopulationLayout.OfSeeds(s).With("individual", Enumerable.Range(0, q)));
            var circuit = BuildCircuit(ctx, config, genPop, "evolution.", widths, data, e.Batch, n.Lr, (net, streams) =>
                [PlasticFeedback<double>.Dendritic(net, streams, genA, genB, config.Rule.FeedbackStd), new CoupledL2<double>(net, Enumerable.Repeat(l2, p).ToArray())]);
            var (fitness, phi) = Fitness(ctx, circuit, e, $"evolution.gen{gen}", config.ProbeEvery);
            fracPositive[gen] = new double[s];
            best[gen] = new double[s];
            median[gen] = new double[s];
            meanA[gen] = new double[s];
            for (int si = 0; si < s; si++)
            {
                var mine = Enumerable.Range(si * q, q).ToArray();
                fracPositive[gen][si] = mine.Count(m => phi[m] > 0) / (double)q;
                var sorted = mine.Select(m => fitness[m]).Order().ToArray();
                best[gen][si] = sorted[0];
                median[gen][si] = q % 2 == 1 ? sorted[q / 2] : (sorted[q / 2 - 1] + sorted[q / 2]) / 2;
                meanA[gen][si] = mine.Average(m => genA[m]);
                foreach (int m in mine)
                {
                    genPop.Log(gen, circuit.Member(m), "fitness", fitness[m]);
                    genPop.Log(gen, circuit.Member(m), "phi_hat", phi[m]);
                    genPop.Log(gen, circuit.Member(m), "genome_a", genA[m]);
                    genPop.Log(gen, circuit.Member(m), "genome_b", genB[m]);
                }
                // Selection on task loss alone: the elites survive and each fills its share with mutated copies.
                var elites = mine.OrderBy(m => fitness[m]).Take(e.Elites).ToArray();
                int share = q / e.Elites;
                for (int r = 0; r < e.Elites; r++)
                    for (int j = 0; j < share; j++)
                    {
                        int child = si * q + r * share + j;
                        bool copy = j == 0;
                        a[child] = genA[elites[r]] + (copy ? 0 : e.MutationA * genomeRng[si].Normal());
                        // b is a decay: kept ≥ 0.
                        b[child] = Math.Max(0, genB[elites[r]] + (copy ? 0 : e.MutationB * genomeRng[si].Normal()));
                    }
            }
            ctx.Metrics.Flush();
        }
        int g5 = e.CheckGeneration;
        var bestRatio = Enumerable.Range(0, s).Select(si => best[g5][si] / bpFit[si]).ToArray();
        var medianRatio = Enumerable.Range(0, s).Select(si => median[g5][si] / frozenFit[si]).ToArray();
        string refs3 = $"references (fitness) — backprop {string.Join(", ", bpFit.Select(Claim.Format))}; frozen V {string.Join(", ", frozenFit.Select(Claim.Format))}; a=−1 {string.Join(", ", antiFit.Select(Claim.Format))}";
        string History(double[][] v) => string.Join("; ", Enumerable.Range(0, s).Select(si => $"seed {ctx.Seed + si}: [" + string.Join(", ", Enumerable.Range(0, e.Generations).Select(gen => Claim.Format(v[gen][si]))) + "]"));

        var gens = Enumerable.Range(0, e.Generations).Select(gen => (double)gen).ToArray();
        var fracFig = new Figure("evolution-phi", "B-E2: fraction of rules with φ̂ > 0", "line", "generation", "fraction φ̂ > 0")
        { Caption = "Selection on task loss alone removes the φ < 0 rules within a few generations." };
        var fitFig = new Figure("evolution-fitness", "B-E2: best and median fitness per generation", "line", "generation", "loss")
        { LogY = true, Caption = "The best evolved rule reaches backprop's loss; horizontal lines are backprop and frozen feedback." };
        for (int si = 0; si < s; si++)
        {
            fracFig.Series.Add(new Series($"seed {ctx.Seed + si}", gens, gens.Select(gen => fracPositive[(int)gen][si]).ToArray()));
            fitFig.Series.Add(new Series($"best, seed {ctx.Seed + si}", gens, gens.Select(gen => best[(int)gen][si]).ToArray()));
            fitFig.Series.Add(new Series($"median, seed {ctx.Seed + si}", gens, gens.Select(gen => median[(int)gen][si]).ToArray()));
        }
        fitFig.Series.Add(new Series($"backprop, seed {ctx.Seed}", [0, e.Generations - 1], [bpFit[0], bpFit[0]]));
        fitFig.Series.Add(new Series($"frozen V, seed {ctx.Seed}", [0, e.Generations - 1], [frozenFit[0], frozenFit[0]]));
        ctx.Figures.Add(fracFig);
        ctx.Figures.Add(fitFig);
        return
        [
            Claim.AtLeast("B-E2.phi-positive",
                $"Evolution over (a, b) of ΔV = −η(a·h eᵀ + b V), selected on task loss only: by generation {g5} ≥ 90% of the population has measured φ̂ > 0 (worst seed)",
                Enumerable.Range(0, s).Min(si => fracPositive[g5][si]), 0.9, $"fraction φ̂ > 0 per generation — {History(fracPositive)}; mean a per generation — {History(meanA)}"),
            Claim.AtMost("B-E2.best-loss",
                $"By generation {g5} the best evolved rule learns like backprop: best fitness ≤ 1.2× backprop's (worst seed)",
                bestRatio.Max(), 1.2, $"{SeedList(ctx, bestRatio)}; best per generation — {History(best)}; {refs3}"),
            Claim.AtMost("B-E2.median-loss",
                $"By generation {g5} the median rule beats frozen random feedback: median fitness / frozen-V fitness < 1 (worst seed)",
                medianRatio.Max(), 1, $"{SeedList(ctx, medianRatio)}; median per generation — {History(median)}"),
        ];
    }

    /// <summary>Trains a circuit for the evolution's step count; fitness = mean batch loss and φ̂ = mean consistency over the final window.</summary>
    private static (double[] Fitness, double[] Phi) Fitness(RunContext ctx, Circuit circuit, EvolutionConfig e, string phase, int probeEvery)
    {
        int p = circuit.Net.Members;
        var meter = Meter(circuit, e.Steps - e.FitnessWindow);
        var fitness = Enumerable.Range(0, p).Select(_ => new StepAverage()).ToArray();
        var t = circuit.Trainer;
        ctx.Time("evolution", () =>
        {
            while (t.Step < e.Steps)
            {
                ctx.Cancel.ThrowIfCancellationRequested();
                t.StepOnce();
                if (t.Step > e.Steps - e.FitnessWindow)
                    for (int m = 0; m < p; m++) fitness[m].Add(t.LastLoss[m]);
                if (t.Step % probeEvery == 0) ctx.Progress.Report($"heterosynaptic {phase}", t.Step, e.Steps);
            }
            return 0;
        });
        return (fitness.Select(f => f.Mean).ToArray(), meter.Phi.Select(f => f.Mean).ToArray());
    }
}
