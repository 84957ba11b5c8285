using Noether.Learning.Rules;
using Noether.Probes;
using Noether.Training;
using static Noether.Tests.Learning.RuleFixture;

namespace Noether.Tests.Learning;

/// <summary>Backprop, feedback alignment, DFA, sign symmetry, Kolen–Pollack, the dendritic rule and transpose feedback against known cases.</summary>
public class FeedbackRuleTests
{
    private static readonly int[] Widths = [5, 7, 6, 3];

    [Fact]
    public void Backprop_rule_gives_the_plain_gradient_even_after_a_feedback_rule()
    {
        var plain = Net(2, Widths);
        var ruled = Net(2, Widths);
        _ = new RandomFeedback<double>(ruled, Streams(9));
        var stack = new RuleStack<double>([new Backprop<double>(ruled)]);
        var data = RandomData(2, 40, 5, 3);
        var a = Trainer(plain, data, 0.1, 8);
        var b = Trainer(ruled, data, 0.1, 8);
        b.Use(stack);
        for (int s = 0; s < 5; s++) { a.StepOnce(); b.StepOnce(); }
        AssertSameParameters(plain, ruled);
        Assert.All(ruled.Linears, l => Assert.Null(l.Feedback));
    }

    [Fact]
    public void Feedback_alignment_with_B_equal_to_W_equals_backprop_on_the_first_step_only()
    {
        var bp = Net(2, Widths);
        var fa = Net(2, Widths);
        var rule = new RandomFeedback<double>(fa, Streams(9));
        var layers = fa.Linears.Skip(1).ToArray();
        for (int k = 0; k < layers.Length; k++) rule.Matrices[k].CopyFrom(layers[k].Weight.Value);
        var data = RandomData(2, 40, 5, 3);
        var a = Trainer(bp, data, 0.2, 8);
        var b = Trainer(fa, data, 0.2, 8);
        b.Use(new RuleStack<double>([rule]));
        a.StepOnce(); b.StepOnce();
        AssertSameParameters(bp, fa);
        // B is frozen at W₀ while W moves, so the second step already differs.
        a.StepOnce(); b.StepOnce();
        Assert.True(MaxAbsDifference(bp, fa) > 1e-8);
    }

    [Fact]
    public void Random_feedback_has_the_law_of_W_and_is_frozen()
    {
        var net = Net(1, [20, 200, 100, 3]);
        var rule = new RandomFeedback<double>(net, Streams(9));
        var b = rule.Matrices[0];
        var before = b.Clone();
        double var = b.ReadOnlySpan.ToArray().Select(v => v * v).Average();
        Assert.InRange(var * 200, 0.9, 1.1); // N(0, 1/fan_in) with fan_in = 200
        var t = Trainer(net, RandomData(1, 50, 20, 3), 0.1, 10);
        t.Use(new RuleStack<double>([rule]));
        t.StepOnce();
        Assert.Equal(before.ReadOnlySpan.ToArray(), b.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void Direct_feedback_alignment_with_D_equal_to_the_output_weights_equals_backprop_on_the_first_step()
    {
        int[] widths = [5, 9, 3];
        var bp = Net(2, widths);
        var dfa = Net(2, widths);
        var rule = new DirectRandomFeedback<double>(dfa, Streams(9));
        // One hidden layer: backprop sends W₂ᵀe down, DFA sends D e; with D = W₂ they coincide.
        rule.Matrices[0].CopyFrom(dfa.Linears.Last().Weight.Value);
        var data = RandomData(2, 40, 5, 3);
        var a = Trainer(bp, data, 0.2, 8);
        var b = Trainer(dfa, data, 0.2, 8);
        b.Use(new RuleStack<double>([rule]));
        a.StepOnce(); b.StepOnce();
        AssertSameParameters(bp, dfa, 1e-12);
        // D stays at W₂(0) while W₂ moves.
        a.StepOnce(); b.StepOnce();
        Assert.True(MaxAbsDifference(bp, dfa) > 1e-8);
    }

    [Fact]
    public void Direct_feedback_alignment_sends_the_output_error_through_D_in_deeper_nets()
    {
        var net = Net(1, Widths);
        var rule = new DirectRandomFeedback<double>(net, Streams(9));
        var t = Trainer(net, RandomData(1, 40, 5, 3), 0.0, 8);
        t.Use(new RuleStack<double>([rule]));
        t.StepOnce();
        // δ₁ = (e·D₁) ⊙ (1 − h²) for the first hidden layer, computed here by hand.
        var tr = net.Trace;
        var e = tr[^1].GradPreActivation.Slice(0);
        var d = rule.Matrices[0].Slice(0);
        var h = tr[0].Output.Slice(0);
        var delta = tr[0].GradPreActivation.Slice(0);
        for (int n = 0; n < 8; n++)
            for (int j = 0; j < 7; j++)
            {
                double routed = 0;
                for (int o = 0; o < 3; o++) routed += e[n, o] * d[o, j];
                Assert.Equal(routed * (1 - h[n, j] * h[n, j]), delta[n, j], 12);
            }
    }

    [Theory]
    [InlineData(SignScale.Unit)]
    [InlineData(SignScale.MeanAbs)]
    public void Sign_symmetry_feeds_back_the_sign_of_W_transposed(SignScale scale)
    {
        var net = Net(2, Widths);
        var rule = new SignFeedback<double>(net, scale);
        var t = Trainer(net, RandomData(2, 40, 5, 3), 0.1, 8);
        t.Use(new RuleStack<double>([rule]));
        for (int s = 0; s < 3; s++) t.StepOnce();
        rule.Refresh();
        foreach (var layer in net.Linears.Skip(1))
            for (int m = 0; m < 2; m++)
            {
                var w = layer.Weight.Value.SliceSpan(m);
                var f = layer.Feedback!.SliceSpan(m);
                double s = scale == SignScale.Unit ? 1 : w.ToArray().Average(Math.Abs);
                for (int i = 0; i < w.Length; i++) Assert.Equal(Math.Sign(w[i]) * s, f[i], 15);
                Assert.Equal(1.0, FeedbackAlignment.SignAgreement(FeedbackAsB(layer, m), layer.Weight.Value.Slice(m)));
            }
    }

    [Fact]
    public void Kolen_Pollack_started_at_B_equal_to_W_transposed_equals_backprop_exactly()
    {
        const double lambda = 0.01;
        var bp = Net(2, Widths);
        var kp = Net(2, Widths);
        var rule = PlasticFeedback<double>.KolenPollack(kp, Streams(9), [lambda, lambda]);
        foreach (var l in kp.Linears.Skip(1)) l.Feedback!.CopyFrom(l.Weight.Value);
        var data = RandomData(2, 40, 5, 3);
        var a = Trainer(bp, data, 0.1, 8);
        var b = Trainer(kp, data, 0.1, 8);
        a.Use(new RuleStack<double>([new Backprop<double>(bp), new CoupledL2<double>(bp, [lambda, lambda])]));
        b.Use(new RuleStack<double>([rule, new CoupledL2<double>(kp, [lambda, lambda])]));
        for (int s = 0; s < 200; s++) { a.StepOnce(); b.StepOnce(); }
        AssertSameParameters(bp, kp);
        foreach (var l in kp.Linears.Skip(1)) Assert.Equal(0.0, Asymmetry(l, 0));
    }

    [Fact]
    public void Kolen_Pollack_shrinks_W_minus_B_transposed_by_exactly_one_minus_eta_lambda_per_step()
    {
        // docs/experiments/self-assembly.md#c-e1contraction: ‖W − Bᵀ‖(t)/‖W − Bᵀ‖(0) = (1 − ηλ)^t to 1e-9 relative at t = 1, 100, 4000 (float64).
        const double eta = 0.05, lambda = 0.01;
        var net = Net(2, [6, 12, 12, 4]);
        var rule = PlasticFeedback<double>.KolenPollack(net, Streams(9), [lambda, lambda]);
        var t = Trainer(net, RandomData(2, 64, 6, 4), eta, 16);
        t.Use(new RuleStack<double>([rule, new CoupledL2<double>(net, [lambda, lambda])]));
        var layers = net.Linears.Skip(1).ToArray();
        var initial = layers.Select(l => Enumerable.Range(0, 2).Select(m => Asymmetry(l, m)).ToArray()).ToArray();
        var cos0 = layers.Select(l => FeedbackAlignment.TransposeCosine(FeedbackAsB(l, 0), l.Weight.Value.Slice(0))).ToArray();
        foreach (int checkpoint in new[] { 1, 100, 4000 })
        {
            while (t.Step < checkpoint) t.StepOnce();
            double expected = Math.Pow(1 - eta * lambda, checkpoint);
            for (int k = 0; k < layers.Length; k++)
                for (int m = 0; m < 2; m++)
                {
                    double ratio = Asymmetry(layers[k], m) / initial[k][m];
                    Assert.True(Math.Abs(ratio / expected - 1) < 1e-9, $"layer {k} member {m} t={checkpoint}: ratio {ratio}, (1−ηλ)^t = {expected}");
                }
        }
        // Measured self-assembly: the random feedback turns toward Wᵀ.
        for (int k = 0; k < layers.Length; k++)
        {
            double cos = FeedbackAlignment.TransposeCosine(FeedbackAsB(layers[k], 0), layers[k].Weight.Value.Slice(0));
            Assert.True(Math.Abs(cos0[k]) < 0.3, $"layer {k}: initial cos(B, Wᵀ) {cos0[k]}");
            Assert.True(cos > 0.9, $"layer {k}: cos(B, Wᵀ) after 4000 steps {cos}");
        }
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(2.0)]
    public void Dendritic_feedback_contracts_toward_c_times_W_at_rate_eta_lambda(double c)
    {
        // With λ_V = λ: F − cW ← (1 − ηλ)(F − cW), so V → c·Wᵀ and φ has the sign of c (docs/experiments/heterosynaptic.md#protocol).
        const double eta = 0.05, lambda = 0.02;
        var net = Net(1, [6, 10, 4]);
        var rule = PlasticFeedback<double>.Dendritic(net, Streams(9), [c], [lambda]);
        var t = Trainer(net, RandomData(1, 64, 6, 4), eta, 16);
        t.Use(new RuleStack<double>([rule, new CoupledL2<double>(net, [lambda])]));
        var top = net.Linears.Last();
        double start = Asymmetry(top, 0, c);
        for (int s = 0; s < 300; s++) t.StepOnce();
        Assert.Equal(Math.Pow(1 - eta * lambda, 300), Asymmetry(top, 0, c) / start, 9);
    }

    [Fact]
    public void Dendritic_rule_with_c_one_and_the_forward_decay_is_Kolen_Pollack()
    {
        const double lambda = 0.01;
        var a = Net(1, Widths);
        var b = Net(1, Widths);
        var data = RandomData(1, 40, 5, 3);
        var ta = Trainer(a, data, 0.1, 8);
        var tb = Trainer(b, data, 0.1, 8);
        ta.Use(new RuleStack<double>([PlasticFeedback<double>.KolenPollack(a, Streams(9), [lambda]), new CoupledL2<double>(a, [lambda])]));
        tb.Use(new RuleStack<double>([PlasticFeedback<double>.Dendritic(b, Streams(9), [1.0], [lambda]), new CoupledL2<double>(b, [lambda])]));
        for (int s = 0; s < 20; s++) { ta.StepOnce(); tb.StepOnce(); }
        AssertSameParameters(a, b);
    }

    [Fact]
    public void Transpose_feedback_alone_is_backprop()
    {
        const double lambda = 0.01;
        var bp = Net(2, Widths);
        var tr = Net(2, Widths);
        var data = RandomData(2, 40, 5, 3);
        var a = Trainer(bp, data, 0.1, 8);
        var b = Trainer(tr, data, 0.1, 8);
        a.Use(new RuleStack<double>([new Backprop<double>(bp), new CoupledL2<double>(bp, [lambda, lambda])]));
        b.Use(new RuleStack<double>([new TransposeFeedback<double>(tr), new CoupledL2<double>(tr, [lambda, lambda])]));
        for (int s = 0; s < 50; s++) { a.StepOnce(); b.StepOnce(); }
        AssertSameParameters(bp, tr);
    }

    [Fact]
    public void Transpose_feedback_with_a_mask_is_the_masked_transpose_of_the_current_weights()
    {
        // The topology-matched reference of docs/experiments/heterosynaptic.md#b-e4-setting: feedback M⊙W at every step.
        var net = Net(1, [8, 40, 30, 3]);
        var rule = new TransposeFeedback<double>(net);
        var mask = new ConnectivityMask<double>(net, Streams(9), [0.5]);
        var t = Trainer(net, RandomData(1, 64, 8, 3), 0.1, 16);
        t.Use(new RuleStack<double>([rule, mask]));
        var kept = net.Linears.Skip(1).Select(l => l.Feedback!.ReadOnlySpan.ToArray().Select(v => v != 0).ToArray()).ToArray();
        for (int s = 0; s < 5; s++) t.StepOnce();
        // Before the next forward pass the feedback is refreshed from W and re-masked: M⊙W, with W as it is now.
        rule.BeforeForwardMembers(null!, 0, 1);
        mask.BeforeForwardMembers(null!, 0, 1);
        var layers = net.Linears.Skip(1).ToArray();
        for (int k = 0; k < layers.Length; k++)
        {
            var f = layers[k].Feedback!.ReadOnlySpan;
            var w = layers[k].Weight.Value.ReadOnlySpan;
            for (int i = 0; i < f.Length; i++) Assert.Equal(kept[k][i] ? w[i] : 0.0, f[i]);
            Assert.InRange(kept[k].Count(x => x) / (double)kept[k].Length, 0.4, 0.6);
        }
    }

    [Fact]
    public void Connectivity_mask_keeps_the_density_and_masked_entries_stay_zero()
    {
        var net = Net(2, [8, 40, 30, 3]);
        var kp = PlasticFeedback<double>.KolenPollack(net, Streams(9), [0.01, 0.01]);
        var mask = new ConnectivityMask<double>(net, Streams(9), [0.3, 0.3], [0.3, 0.3]);
        var t = Trainer(net, RandomData(2, 64, 8, 3), 0.1, 16);
        t.Use(new RuleStack<double>([kp, mask, new GradientNoise<double>(net, Streams(9), [0.1, 0.1])]));
        var zeroF = net.Linears.Skip(1).Select(l => l.Feedback!.ReadOnlySpan.ToArray().Select(v => v == 0).ToArray()).ToArray();
        var zeroW = net.Linears.Take(2).Select(l => l.Weight.Value.ReadOnlySpan.ToArray().Select(v => v == 0).ToArray()).ToArray();
        double keptW = zeroW.SelectMany(z => z).Count(z => !z) / (double)zeroW.Sum(z => z.Length);
        Assert.InRange(keptW, 0.25, 0.35);
        for (int s = 0; s < 10; s++) t.StepOnce();
        var linears = net.Linears.ToArray();
        for (int k = 0; k < 2; k++)
        {
            var f = linears[k + 1].Feedback!.ReadOnlySpan;
            var w = linears[k].Weight.Value.ReadOnlySpan;
            for (int i = 0; i < f.Length; i++) if (zeroF[k][i]) Assert.Equal(0.0, f[i]);
            for (int i = 0; i < w.Length; i++) if (zeroW[k][i]) Assert.Equal(0.0, w[i]);
        }
        // The output layer's forward weights are not masked.
        Assert.DoesNotContain(0.0, linears[2].Weight.Value.ReadOnlySpan.ToArray());
    }

    [Fact]
    public void Random_teacher_rule_is_backprop_toward_the_random_network_outputs()
    {
        int[] widths = [5, 8, 3];
        var teacher = RandomTeacher<double>.BuildTeacher(2, [5, 11, 3], "tanh", Streams(4));
        var data = RandomData(2, 40, 5, 3);
        // The same inputs labelled by the random teacher.
        var relabelled = teacher.Forward(data.Inputs).Clone();
        var pseudo = new TrainingData<double>(data.Inputs, relabelled, perMember: true);
        var a = Net(2, widths);
        var b = Net(2, widths);
        var ta = Trainer(a, pseudo, 0.1, 8);
        var tb = Trainer(b, data, 0.1, 8);
        tb.Use(new RuleStack<double>([new RandomTeacher<double>(b, teacher), new Backprop<double>(b)]));
        for (int s = 0; s < 5; s++) { ta.StepOnce(); tb.StepOnce(); }
        AssertSameParameters(a, b, 1e-13);
        // The reported loss stays the task loss, not the pseudo-loss.
        Assert.NotEqual(ta.LastLoss[0], tb.LastLoss[0]);
    }
}

/// <summary>The four-synapse hypothesis (docs/experiments/self-assembly.md#protocol) against Kolen–Pollack and its relay update.</summary>
public class CrossProjectionFeedbackTests
{
    private static readonly int[] Widths = [5, 7, 6, 3];

    private static void SetIdentity(Noether.Tensors.Tensor<double> t)
    {
        int n = t.Shape[1];
        t.Clear();
        for (int m = 0; m < t.Shape[0]; m++)
            for (int i = 0; i < n; i++) t.SliceSpan(m)[i * n + i] = 1;
    }

    [Fact]
    public void With_identity_relays_and_no_relay_decay_it_is_Kolen_Pollack()
    {
        const double lambda = 0.01;
        var a = Net(2, Widths);
        var b = Net(2, Widths);
        var data = RandomData(2, 40, 5, 3);
        var ta = Trainer(a, data, 0.1, 8);
        var tb = Trainer(b, data, 0.1, 8);
        var kp = PlasticFeedback<double>.KolenPollack(a, Streams(9), [lambda, lambda]);
        var four = new CrossProjectionFeedback<double>(b, Streams(9), [lambda, lambda], [0, 0]);
        foreach (var r in four.RelayUp) if (r is not null) SetIdentity(r);
        foreach (var r in four.RelayDown) SetIdentity(r);
        ta.Use(new RuleStack<double>([kp, new CoupledL2<double>(a, [lambda, lambda])]));
        tb.Use(new RuleStack<double>([four, new CoupledL2<double>(b, [lambda, lambda])]));
        for (int s = 0; s < 30; s++) { ta.StepOnce(); tb.StepOnce(); }
        AssertSameParameters(a, b, 1e-13);
        foreach (var r in four.RelayDown)
            for (int m = 0; m < 2; m++)
            {
                int n = r.Shape[1];
                for (int i = 0; i < n; i++) Assert.Equal(1.0, r.SliceSpan(m)[i * n + i], 12);
            }
    }

    [Fact]
    public void Relay_moves_by_eta_times_covariance_minus_relayed_covariance_minus_decay()
    {
        const double eta = 0.1, relayDecay = 0.05;
        var net = Net(1, [4, 5, 3]);
        var four = new CrossProjectionFeedback<double>(net, Streams(9), [0.0], [relayDecay]);
        var t = Trainer(net, RandomData(1, 8, 4, 3), eta, 8);
        t.Use(new RuleStack<double>([four]));
        var p0 = four.RelayUp[1]!.Clone();
        t.StepOnce();
        var h = net.Trace[1].Input.Slice(0);
        var p1 = four.RelayUp[1]!;
        for (int i = 0; i < 5; i++)
            for (int j = 0; j < 5; j++)
            {
                double c(int a, int b2) { double s = 0; for (int n = 0; n < 8; n++) s += h[n, a] * h[n, b2]; return s / 8; }
                double pc = 0;
                for (int k = 0; k < 5; k++) pc += p0[0, i, k] * c(k, j);
                double expected = p0[0, i, j] + eta * (c(i, j) - pc - relayDecay * p0[0, i, j]);
                Assert.Equal(expected, p1[0, i, j], 12);
            }
    }
}
