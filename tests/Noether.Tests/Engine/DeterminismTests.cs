using Noether.Learning;
using Noether.Nn;
using Noether.Tensors;
using Noether.Training;

namespace Noether.Tests.Engine;

public class DeterminismTests
{
    private static (Sequential<float> Net, Trainer<float> Trainer) Build(long[] seeds, string optimizer, int threads = 1)
    {
        int p = seeds.Length;
        var net = Mlp.Build<float>(p, [6, 16, 12, 2], "tanh", compute: new Compute(threads));
        net.Initialize(InitScheme.TorchDefault, seeds.Select(s => new Rng(s).Child("init")).ToArray());
        // Per-member data from each member's own stream, so member i's numbers depend on its seed only.
        var x = new Tensor<float>(p, 40, 6); var y = new Tensor<float>(p, 40, 2);
        for (int m = 0; m < p; m++)
        {
            var rng = new Rng(seeds[m]).Child("data");
            rng.FillNormal(x.SliceSpan(m), 0, 1);
            rng.FillNormal(y.SliceSpan(m), 0, 1);
        }
        var opt = Optimizers.Create<float>(optimizer, p, 0.05, 1e-3);
        var trainer = new Trainer<float>(net, new MseLoss<float>(), opt, new TrainingData<float>(x, y, perMember: true), 8,
            seeds.Select(s => new Rng(s).Child("batches")).ToArray());
        return (net, trainer);
    }

    private static float[] Parameters(Sequential<float> net, int member) =>
        net.Parameters.SelectMany(p => p.Value.SliceSpan(member).ToArray()).ToArray();

    [Theory]
    [InlineData("sgd")]
    [InlineData("momentum")]
    [InlineData("adam")]
    [InlineData("adamw")]
    public void Same_seed_twice_gives_bit_identical_parameters_after_100_steps(string optimizer)
    {
        var (n1, t1) = Build([42], optimizer);
        var (n2, t2) = Build([42], optimizer);
        t1.Run(100, 1000); t2.Run(100, 1000);
        Assert.Equal(Parameters(n1, 0), Parameters(n2, 0));
        var (n3, t3) = Build([43], optimizer);
        t3.Run(100, 1000);
        Assert.NotEqual(Parameters(n1, 0), Parameters(n3, 0));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Population_member_equals_the_P1_run_with_its_seed(int threads)
    {
        long[] seeds = [5, 6, 7];
        var (pop, tp) = Build(seeds, "adam", threads);
        tp.Run(100, 1000);
        for (int m = 0; m < seeds.Length; m++)
        {
            var (single, ts) = Build([seeds[m]], "adam");
            ts.Run(100, 1000);
            Assert.Equal(Parameters(single, 0), Parameters(pop, m));
        }
    }

    [Fact]
    public void Named_streams_are_independent_of_draws_on_other_streams()
    {
        var a = new Rng(1);
        var before = a.Child("noise").NextUInt64();
        var init = a.Child("init");
        for (int i = 0; i < 1000; i++) init.Normal();
        Assert.Equal(before, a.Child("noise").NextUInt64());
        Assert.NotEqual(a.Child("noise").NextUInt64(), a.Child("init").NextUInt64());
    }

    [Fact]
    public void Box_Muller_normals_have_unit_moments()
    {
        var rng = new Rng(3);
        int n = 200_000;
        double s = 0, s2 = 0, s4 = 0;
        for (int i = 0; i < n; i++) { double z = rng.Normal(); s += z; s2 += z * z; s4 += z * z * z * z; }
        Assert.InRange(s / n, -0.01, 0.01);
        Assert.InRange(s2 / n, 0.98, 1.02);
        Assert.InRange(s4 / n, 2.9, 3.1);
    }

    [Fact]
    public void Diverging_member_is_frozen_and_marked_while_others_go_on()
    {
        var (net, trainer) = Build([1, 2], "sgd");
        trainer.Optimizer.LearningRate[1] = 1e6; // member 1 explodes
        trainer.Run(50, 1000);
        Assert.True(trainer.DivergedAt[1] >= 0);
        Assert.Equal(-1, trainer.DivergedAt[0]);
        Assert.True(double.IsFinite(trainer.LastLoss[0]));
        // The diverged member's parameters are NaN (what it measures is NaN, not arithmetic on overflowed values); the other's are untouched.
        foreach (var w in net.Parameters)
        {
            Assert.All(w.Value.SliceSpan(1).ToArray(), v => Assert.True(float.IsNaN(v)));
            Assert.All(w.Value.SliceSpan(0).ToArray(), v => Assert.True(float.IsFinite(v)));
        }
        var w0 = net.Parameters[0].Value;
        Assert.True(double.IsNaN(Noether.Probes.MatrixAlignment.FrobeniusCosine(
            w0.SliceSpan(1).ToArray().Select(v => (double)v).ToArray(), w0.SliceSpan(0).ToArray().Select(v => (double)v).ToArray())));
    }

    [Fact]
    public void Normalised_quotients_are_zero_for_nothing_to_compare_and_NaN_for_NaN()
    {
        Assert.Equal(0.5, Normalised.Quotient(1, 2));
        Assert.Equal(0.0, Normalised.Quotient(1, 0));
        Assert.Equal(0.0, Normalised.Quotient(1, -1e-300));
        Assert.True(double.IsNaN(Normalised.Quotient(1, double.NaN)));
        Assert.Equal(0.5, Normalised.OverRoot(1, 4));
        Assert.Equal(0.0, Normalised.OverRoot(1, -4));
        Assert.True(double.IsNaN(Normalised.OverRoot(1, double.NaN)));
        Assert.Equal(0.0, Noether.Probes.MatrixAlignment.FrobeniusCosine([0, 0], [1, 2]));
    }

    [Fact]
    public void Shape_mismatch_names_the_operation_and_both_shapes()
    {
        var net = Mlp.Build<float>(2, [4, 3, 1], "relu");
        var e = Assert.Throws<ShapeMismatchException>(() => net.Forward(new Tensor<float>(2, 5, 6)));
        Assert.Contains("Sequential.Forward", e.Message);
        Assert.Contains("[2,5,6]", e.Message);
        Assert.Contains("[2,B,4]", e.Message);
        var lin = new Linear<float>(1, 4, 3);
        var e2 = Assert.Throws<ShapeMismatchException>(() => lin.Forward(new Tensor<float>(1, 2, 5), new Tensor<float>(1, 2, 3), Compute.Serial));
        Assert.Contains("Linear", e2.Message);
        Assert.Contains("[1,2,5]", e2.Message);
        var loss = Assert.Throws<ShapeMismatchException>(() => new MseLoss<float>().Evaluate(new Tensor<float>(1, 2, 3), new Tensor<float>(1, 2, 4), new double[1], null));
        Assert.Contains("[1,2,3]", loss.Message);
        Assert.Contains("[1,2,4]", loss.Message);
    }

    [Fact]
    public void Warmup_and_step_schedules()
    {
        var s = Schedule.Parse("warmup:4+step:10:0.5");
        Assert.Equal(0.25, s.Factor(0));
        Assert.Equal(1.0, s.Factor(3));
        Assert.Equal(0.5, s.Factor(10));
        Assert.Throws<ArgumentException>(() => Schedule.Parse("cosine"));
    }

    [Fact]
    public void Initialisers_have_the_documented_scales()
    {
        var lin = new Linear<double>(1, 400, 300);
        var rng = new Rng(1);
        double Std() { var v = lin.Weight.Value.Span; double s = 0; foreach (var x in v) s += x * x; return Math.Sqrt(s / v.Length); }
        Initializer.Fill(lin.Weight, 0, InitScheme.LeCun, rng); Assert.InRange(Std(), 0.049, 0.051);
        Initializer.Fill(lin.Weight, 0, InitScheme.He, rng); Assert.InRange(Std(), 0.0695, 0.0720);
        Initializer.Fill(lin.Weight, 0, InitScheme.Xavier, rng); Assert.InRange(Std(), 0.0525, 0.0545);
        Initializer.Fill(lin.Weight, 0, InitScheme.TorchDefault, rng); Assert.InRange(Std(), 0.0283, 0.0295); // (1/√400)/√3
        Assert.True(lin.Weight.Value.Span.ToArray().All(v => Math.Abs(v) <= 0.05));
    }
}
