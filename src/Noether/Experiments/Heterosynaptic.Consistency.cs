using Noether.Learning.Rules;
using Noether.Probes;
using Noether.Training;

namespace Noether.Experiments;

/// <summary>
/// heterosynaptic B-E1 (docs/experiments/heterosynaptic.md#b-e1-setting): dendritic rules ΔV = −η(c·h eᵀ + λ_V V) with
/// c &gt; 0 descend (φ̂ &gt; 0, the update of W1 follows the gradient) and with c &lt; 0 ascend, beside backprop, frozen
/// random feedback (feedback alignment) and no feedback on the same seeds. The c &lt; 0 magnitudes are read where the
/// c-term dominates V: V(0) = 0, or V(0) decayed by e^(−ηλ_V t) to below e^(−5).
/// </summary>
public sealed partial class Heterosynaptic
{
    /// <summary>
    /// e-folds of V(0)'s decay after which the c-term dominates V: a c &lt; 0 row's magnitudes are claimed when
    /// s·e^(−ηλ_V T) ≤ e^(−5), with s its V(0) scale (docs/experiments/heterosynaptic.md#b-e1-setting).
    /// </summary>
    private const double DominanceEFolds = 5;

    private IReadOnlyList<Claim> RunConsistency(Config config, RunContext ctx, TrainingData<double> data)
    {
        var n = config.Network;
        var c = config.Consistency;
        double l2 = config.Rule.L2;
        int rules = c.Coefficients.Length, k = rules + 3, s = config.Seeds, p = k * s;
        // Conditions per seed: the c/λ_V/V(0) rules, then backprop (symmetric start, c = 1, λ_V = λ), frozen V
        // (c = 0, λ_V = 0: feedback alignment) and no feedback (V ≡ 0: the hidden layer cannot learn).
        int bp = rules, frozen = rules + 1, none = rules + 2;
        var coef = new double[p];
        var decay = new double[p];
        var scale = new double[p];
        for (int m = 0; m < p; m++)
        {
            int j = m % k;
            (coef[m], decay[m], scale[m]) = j < rules ? (c.Coefficients[j], c.FeedbackDecays[j], c.FeedbackInitScales[j])
                : j == bp ? (1.0, l2, 1.0) : j == frozen ? (0.0, 0.0, 1.0) : (0.0, 0.0, 0.0);
        }
        var pop = ctx.Population("consistency", PopulationLayout.OfSeeds(s).With(
            ConditionAxis.Of("rule", Enumerable.Range(0, k).Select(j => j < rules ? "dendritic" : j == bp ? "backprop" : j == frozen ? "frozen-feedback" : "no-feedback"))
                .And("c", coef.Take(k)).And("lambda_v", decay.Take(k)).And("v0_scale", scale.Take(k))));
        var circuit = BuildCircuit(ctx, config, pop, "", [n.InputDim, n.Hidden, n.OutputDim], data, n.Batch, n.Lr, (net, streams) =>
            [PlasticFeedback<double>.Dendritic(net, streams, coef, decay, config.Rule.FeedbackStd), new CoupledL2<double>(net, Enumerable.Repeat(l2, p).ToArray())]);
        SymmetricStart(circuit.Net, Enumerable.Range(0, s).Select(si => si * k + bp));
        for (int m = 0; m < p; m++)
            if (scale[m] != 1)
            {
                var v = circuit.Net.Linears.Last().Feedback!.SliceSpan(m);
                System.Numerics.Tensors.TensorPrimitives.Multiply(v, scale[m], v);
            }
        var meter = Meter(circuit, n.Steps - c.Window);
        Train(ctx, circuit, "consistency", n.Steps, config.ProbeEvery);
        var loss = circuit.Trainer.EvaluateLoss();
        for (int m = 0; m < p; m++)
        {
            pop.Log(n.Steps, circuit.Member(m), "train_loss", loss[m]);
            pop.Log(n.Steps, circuit.Member(m), "phi_hat", meter.Phi[m].Mean);
            pop.Log(n.Steps, circuit.Member(m), "dc_fraction", meter.Dc[m].Mean);
            pop.Log(n.Steps, circuit.Member(m), "update_gradient_cosine", meter.Cos[m].Mean);
        }
        ctx.Metrics.Flush();

        var bpLoss = Enumerable.Range(0, s).Select(si => loss[si * k + bp]).ToArray();
        double Phi(int m) => meter.Phi[m].Mean;
        double Cos(int m) => meter.Cos[m].Mean;
        double Dc(int m) => meter.Dc[m].Mean;
        double OverBp(int m) => loss[m] / bpLoss[m / k];
        double OverFrozen(int m) => loss[m] / loss[m / k * k + frozen];
        string Start(int j) => c.FeedbackInitScales[j] == 1 ? "" : c.FeedbackInitScales[j] == 0 ? ", V(0)=0" : $", V(0)×{Claim.Format(c.FeedbackInitScales[j])}";
        string Label(int j) => j == bp ? "backprop" : j == frozen ? "frozen V" : j == none ? "no feedback"
            : $"c={Claim.Format(c.Coefficients[j])}, λ_V={Claim.Format(c.FeedbackDecays[j])}{Start(j)}";
        string Row(int j) => $"{Label(j)}: " + string.Join(" | ", Enumerable.Range(0, s).Select(si =>
        {
            int m = si * k + j;
            return $"loss {Claim.Format(loss[m])} ({Claim.Format(OverBp(m))}×BP, {Claim.Format(OverFrozen(m))}×frozen V), φ̂ {Claim.Format(Phi(m))}, cos {Claim.Format(Cos(m))}, DC {Claim.Format(Dc(m))}";
        }));
        string table = string.Join("; ", Enumerable.Range(0, k).Select(Row)) + $" (seeds {ctx.Seed}..{ctx.Seed + s - 1} in order)";
        // The frozen-V (feedback-alignment) control beside every c > 0 claim: the same measure on fixed random feedback.
        string FrozenBeside(Func<int, double> f) => "frozen V (feedback alignment) beside it — " + SeedList(ctx, Enumerable.Range(0, s).Select(si => f(si * k + frozen)));

        int[] Rows(Func<int, bool> keep) => Enumerable.Range(0, rules).Where(keep).ToArray();
        var positive = Rows(j => c.Coefficients[j] > 0);
        var negative = Rows(j => c.Coefficients[j] < 0);
        // Where the c-term dominates V: the share of V(0) left after T steps, s·e^(−ηλ_V T), is at most e^(−5).
        var dominated = Rows(j => c.Coefficients[j] < 0
            && c.FeedbackInitScales[j] * Math.Exp(-n.Lr * c.FeedbackDecays[j] * n.Steps) <= Math.Exp(-DominanceEFolds) * (1 + 1e-9));
        IEnumerable<int> Members(int[] conditions) => conditions.SelectMany(j => Enumerable.Range(0, s).Select(si => si * k + j));
        // Worst case over the rows' members; NaN (a FAIL) when no row qualifies.
        double Min(int[] conditions, Func<int, double> f) => conditions.Length == 0 ? double.NaN : Members(conditions).Min(f);
        double Max(int[] conditions, Func<int, double> f) => conditions.Length == 0 ? double.NaN : Members(conditions).Max(f);
        string Names(int[] conditions) => conditions.Length == 0 ? "none" : string.Join("; ", conditions.Select(Label));
        string dominance = $"c < 0 rows where the c-term dominates V: V(0) = 0, or the share s·e^(−ηλ_V T) of V(0) left after T = {n.Steps} steps is ≤ e^(−{Claim.Format(DominanceEFolds)}) ({Names(dominated)})";

        var claims = new List<Claim>
        {
            Claim.AtLeast("B-E1.descent-phi",
                "c > 0 (V(0) ~ the law of W2ᵀ, small against the accumulated c·Σ h eᵀ): the consistency score φ̂ = ⟨V e, ∂ℓ/∂h⟩/‖∂ℓ/∂h‖² exceeds 0.1 for every c > 0 rule (smallest over c > 0 rules and seeds, mean of the last steps)",
                Min(positive, Phi), 0.1, $"{FrozenBeside(Phi)}; {table}"),
            Claim.AtLeast("B-E1.descent-alignment",
                "c > 0: the heterosynaptic update of W1 follows the gradient, cos(ΔW1, −∇W1) ≥ 0.5 for every c > 0 rule (smallest over c > 0 rules and seeds)",
                Min(positive, Cos), 0.5, FrozenBeside(Cos)),
            Claim.AtLeast("B-E1.dynamical-consistency",
                "c > 0: dynamical consistency, the fraction of hidden neurons with φ̂_i > 0 is ≥ 0.8 for every c > 0 rule (smallest over c > 0 rules and seeds)",
                Min(positive, Dc), 0.8, FrozenBeside(Dc)),
            Claim.AtMost("B-E1.descent-loss",
                "c > 0: learns like backprop, training loss ≤ 2× backprop for every c > 0 rule (largest ratio over c > 0 rules and seeds)",
                Max(positive, OverBp), 2, FrozenBeside(m => OverBp(m))),
            Claim.AtMost("B-E1.descent-vs-frozen-feedback",
                "c > 0: the plastic feedback learns better than frozen random feedback (feedback alignment) on the same seed, training loss / frozen-V loss < 1 for every c > 0 rule (largest ratio over c > 0 rules and seeds)",
                Max(positive, OverFrozen), 1, "frozen V loss — " + SeedList(ctx, Enumerable.Range(0, s).Select(si => loss[si * k + frozen]))),
            Claim.AtMost("B-E1.ascent-sign",
                "c < 0 (V(0) ~ the law of W2ᵀ or 0): the sign of φ flips, φ̂ < 0 for every c < 0 rule (largest over c < 0 rules and seeds)",
                Max(negative, Phi), 0),
            Claim.AtMost("B-E1.ascent-phi",
                $"{dominance}: φ̂ < −0.1 (largest over those rules and seeds)",
                Max(dominated, Phi), -0.1),
            Claim.AtMost("B-E1.ascent-alignment",
                $"{dominance}: the update of W1 opposes the gradient, cos(ΔW1, −∇W1) ≤ −0.3 (largest over those rules and seeds)",
                Max(dominated, Cos), -0.3),
            Claim.AtLeast("B-E1.ascent-loss",
                $"{dominance}: gradient ascent in the hidden layer, training loss ≥ 5× backprop (smallest ratio over those rules and seeds)",
                Min(dominated, OverBp), 5),
        };

        var categories = Enumerable.Range(0, k).Select(Label).ToArray();
        var xs = Enumerable.Range(0, k).Select(j => (double)j).ToArray();
        double[] Mean(Func<int, double> f) => Enumerable.Range(0, k).Select(j => Enumerable.Range(0, s).Average(si => f(si * k + j))).ToArray();
        double[] Sd(Func<int, double> f) => Enumerable.Range(0, k).Select(j => Series.StandardDeviation(Enumerable.Range(0, s).Select(si => f(si * k + j)))).ToArray();
        ctx.Figures.Add(new Figure("consistency-score", "B-E1: φ̂, DC fraction and gradient alignment per rule", "bar", "rule", "value")
        {
            Categories = categories,
            Series =
            [
                new Series("φ̂", xs, Mean(Phi)) { Spread = Sd(Phi) },
                new Series("cos(ΔW1, −∇W1)", xs, Mean(Cos)) { Spread = Sd(Cos) },
                new Series("DC fraction", xs, Mean(Dc)) { Spread = Sd(Dc) },
            ],
            Caption = "Mean ± sd over seeds: c > 0 gives φ̂ > 0 and gradient-aligned updates; c < 0 flips both (gradient ascent in the hidden layer). Frozen V is feedback alignment.",
        });
        ctx.Figures.Add(new Figure("consistency-loss", "B-E1: final loss relative to backprop", "bar", "rule", "loss / backprop loss")
        {
            Categories = categories,
            LogY = true,
            Series = [new Series("loss / BP", xs, Mean(OverBp)) { Spread = Sd(OverBp) }],
            Caption = "Mean ± sd over seeds of the final full-data loss divided by the backprop member's (same seed, init and batches).",
        });
        return claims;
    }
}
