using Noether.Learning;
using Noether.Nn;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Tests.Training;

/// <summary>
/// A trainer with no hook runs each step as one <see cref="PopulationStep{T}"/>: every phase of a member range on one
/// thread. Its parameters, losses and divergence marks must equal those of the step run phase by phase over the whole
/// population on one thread (forced here by a hook that does nothing) bit for bit, whatever the thread count and optimiser.
/// </summary>
public class PopulationStepTests
{
    private static Trainer<float> Build(int members, int threads, string optimizer, bool hook, double blowUp = 0, int[]? widths = null, int batch = 8)
    {
        widths ??= [6, 16, 8, 2];
        var net = Mlp.Build<float>(members, widths, "tanh", compute: new Compute(threads));
        net.Initialize(InitScheme.TorchDefault, Enumerable.Range(0, members).Select(m => new Rng(40 + m).Child("init")).ToArray());
        var rng = new Rng(5);
        var x = new Tensor<float>(members, Math.Max(50, batch), widths[0]);
        var y = new Tensor<float>(members, Math.Max(50, batch), widths[^1]);
        rng.FillNormal(x.Span, 0, 1);
        rng.FillNormal(y.Span, 0, 1);
        Optimizer<float> opt = optimizer switch
        {
            "sgd" => new Sgd<float>(members, 0.05),
            // Plain SGD with decay on weights only and per-member rates, one member frozen: its weight steps run inside
            // the gradient products.
            "sgd-decay" => new Sgd<float>(members, 0.05, weightDecay: 1e-2) { DecayNonWeights = false },
            "momentum" => new Sgd<float>(members, 0.05, weightDecay: 1e-3, momentum: 0.9),
            _ => new Adam<float>(members, 0.01, weightDecay: 1e-3),
        };
        // One member's learning rate so large that it diverges within the run.
        if (blowUp > 0) opt.LearningRate[members - 1] = blowUp;
        if (optimizer == "sgd-decay" && members > 2) { opt.LearningRate[0] = 0; opt.LearningRate[1] = 0.11; }
        var trainer = new Trainer<float>(net, new MseLoss<float>(), opt, new TrainingData<float>(x, y, perMember: true), batch,
            Enumerable.Range(0, members).Select(m => new Rng(70 + m).Child("batches")).ToArray(), new WarmupSchedule(5));
        if (hook) trainer.AfterUpdate.Add(_ => { });
        return trainer;
    }

    private static (float[] Values, double[] Loss, long[] Diverged) Train(Trainer<float> trainer)
    {
        trainer.Run(25, 25);
        var values = trainer.Network.Parameters.SelectMany(p => p.Value.ReadOnlySpan.ToArray()).ToArray();
        return (values, trainer.LastLoss.ToArray(), trainer.DivergedAt.ToArray());
    }

    [Theory]
    [InlineData(2, 1, "sgd")]
    [InlineData(5, 2, "momentum")]
    [InlineData(7, 3, "adam")]
    [InlineData(3, 2, "sgd")]
    [InlineData(6, 4, "adam")]
    [InlineData(5, 2, "sgd-decay")]
    [InlineData(4, 1, "sgd-decay")]
    // Ranges of several chunks, the last one short: every other step visits them last to first.
    [InlineData(9, 1, "adam")]
    [InlineData(13, 2, "sgd")]
    public void A_fused_step_equals_the_step_phase_by_phase(int members, int threads, string optimizer)
    {
        var fused = Build(members, threads, optimizer, hook: false);
        var step = new PopulationStep<float>(fused.Network, fused.Loss, fused.Optimizer);
        Assert.True(step.Applies(fused.BatchSize));
        Assert.Equal(optimizer.StartsWith("sgd"), step.StepsInProducts);
        // Against one thread phase by phase: the fused step must not depend on the thread count either.
        var byPhase = Train(Build(members, 1, optimizer, hook: true));
        var (values, loss, diverged) = Train(fused);
        Assert.Equal(byPhase.Values, values);
        Assert.Equal(byPhase.Loss, loss);
        Assert.Equal(byPhase.Diverged, diverged);
    }

    [Theory]
    [InlineData(13, 2, "sgd")]
    [InlineData(5, 2, "sgd-decay")]
    [InlineData(1, 2, "sgd-decay")]
    [InlineData(3, 1, "sgd")]
    public void A_step_that_does_not_keep_its_gradients_gives_the_same_parameters_and_leaves_the_fused_weights_gradients_unwritten(int members, int threads, string optimizer)
    {
        // Optimizer.KeepGradients = false: the weight steps inside the gradient products add into the weights without
        // storing the gradients (population steps and a single network's whole passes alike), with the same values.
        var byPhase = Train(Build(members, 1, optimizer, hook: true));
        var lean = Build(members, threads, optimizer, hook: false);
        lean.Optimizer.KeepGradients = false;
        var weights = lean.Network.Linears.Select(l => l.Weight).ToArray();
        foreach (var w in weights) w.Grad.Span.Fill(float.NaN);
        var (values, loss, diverged) = Train(lean);
        Assert.Equal(byPhase.Values, values);
        Assert.Equal(byPhase.Loss, loss);
        Assert.Equal(byPhase.Diverged, diverged);
        // Batch 8 is one k block, so no partial sum was stored either (a frozen member, lr 0, takes no step and forms its
        // gradient); the biases' gradients are still formed.
        for (int m = 0; m < members; m++)
            if (lean.Optimizer.LearningRate[m] != 0)
                Assert.All(weights, w => Assert.All(w.Grad.Slice(m).ReadOnlySpan.ToArray(), v => Assert.True(float.IsNaN(v))));
        Assert.All(lean.Network.Linears, l => Assert.DoesNotContain(l.Bias!.Grad.ReadOnlySpan.ToArray(), float.IsNaN));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1, 2)]
    [InlineData(3, 1)]
    public void A_step_by_phase_with_plain_sgd_steps_the_weights_inside_their_gradient_products_with_the_same_values(int members, int threads)
    {
        // One network (no member ranges), or a population on one thread whose 2-sample batches are too small to split by
        // member: the trainer's whole-population passes take plain SGD's weight steps inside the weight-gradient products
        // (on 2 threads the 128×128 products are split across them) unless a hook may read the gradients first.
        Trainer<float> Make(bool hook) => Build(members, threads, "sgd-decay", hook, widths: [20, 128, 128, 3], batch: members > 1 ? 2 : 48);
        var fused = Make(hook: false);
        Assert.NotNull(fused.Network.SgdFusedMask);
        Assert.False(new PopulationStep<float>(fused.Network, fused.Loss, fused.Optimizer).Applies(fused.BatchSize));
        var byPhase = Train(Make(hook: true));
        var (values, loss, _) = Train(fused);
        Assert.Equal(byPhase.Values, values);
        Assert.Equal(byPhase.Loss, loss);
    }

    [Fact]
    public void A_single_network_on_two_threads_steps_its_first_layer_by_row_blocks_with_the_one_thread_values()
    {
        // One network, batch 128: the first layer's 256×96×128 weight-gradient product takes its SGD step in one block of
        // rows per thread, and its 128×256 bias gradient sums one block of columns per thread. Against the step phase by
        // phase (a hook) on one thread, bit for bit.
        Trainer<float> Make(int threads, bool hook) => Build(1, threads, "sgd-decay", hook, widths: [96, 256, 128, 3], batch: 128);
        var fused = Make(2, hook: false);
        Assert.NotNull(fused.Network.SgdFusedMask);
        var byPhase = Train(Make(1, hook: true));
        var (values, loss, _) = Train(fused);
        Assert.Equal(byPhase.Values, values);
        Assert.Equal(byPhase.Loss, loss);
    }

    [Fact]
    public void A_member_that_diverges_in_a_fused_step_is_marked_and_frozen_as_in_the_step_phase_by_phase()
    {
        var byPhase = Train(Build(4, 2, "sgd", hook: true, blowUp: 1e6));
        var (values, _, diverged) = Train(Build(4, 2, "sgd", hook: false, blowUp: 1e6));
        Assert.True(diverged[3] >= 0);
        Assert.All(diverged[..3], d => Assert.Equal(-1, d));
        Assert.Equal(byPhase.Diverged, diverged);
        Assert.Equal(byPhase.Values, values);
    }

    [Fact]
    public void A_single_network_or_one_too_small_to_split_is_not_run_by_member_range()
    {
        var single = Mlp.Build<float>(1, [6, 16, 2], "tanh");
        Assert.False(new PopulationStep<float>(single, new MseLoss<float>(), new Sgd<float>(1, 0.1)).Applies(8));
        Assert.Throws<InvalidOperationException>(() => single.ForwardMembers(0, 1));
        // 2 samples × 2 outputs × 4 bytes = 16 bytes per member: the vectorised kernels would take another path on a range.
        var tiny = Mlp.Build<float>(3, [6, 16, 2], "tanh");
        var step = new PopulationStep<float>(tiny, new MseLoss<float>(), new Sgd<float>(3, 0.1));
        Assert.False(step.Applies(2));
        Assert.Throws<InvalidOperationException>(() => step.Run(new Tensor<float>(3, 2, 6), new Tensor<float>(3, 2, 2), new double[3]));
    }
}
