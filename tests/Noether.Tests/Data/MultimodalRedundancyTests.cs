using Noether.Data;
using Noether.Tensors;

namespace Noether.Tests.Data;

/// <summary>Invariants of the redundancy/uniqueness generator (docs/experiments/multimodal-alignment.md#generator).</summary>
public class MultimodalRedundancyTests
{
    private static readonly MultimodalRedundancySpec Paper = new();

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    public void Joint_information_is_identical_for_every_redundancy(long seed)
    {
        var gen = new MultimodalRedundancy(Paper, new Rng(seed));
        var joint = Enumerable.Range(0, Paper.SharedBits + 1).Select(r => gen.Information(r).Joint).ToArray();
        Assert.InRange(joint[0], 0.5, Math.Log(4));
        foreach (var i in joint) Assert.Equal(joint[0], i, 1e-9);
    }

    [Fact]
    public void With_every_label_bit_shared_each_modality_alone_holds_all_the_information()
    {
        var gen = new MultimodalRedundancy(Paper, new Rng(3));
        var full = gen.Information(Paper.SharedBits);
        Assert.Equal(full.Joint, full.Modality1, 1e-9);
        Assert.Equal(full.Joint, full.Modality2, 1e-9);
        // With no shared label bit, each modality sees only half of v: strictly less information.
        var none = gen.Information(0);
        Assert.True(none.Modality1 < none.Joint - 0.1, $"I(X1;Y) = {none.Modality1} vs I(X1,X2;Y) = {none.Joint}");
        Assert.True(none.Modality2 < none.Joint - 0.1, $"I(X2;Y) = {none.Modality2} vs I(X1,X2;Y) = {none.Joint}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Class_balancing_brings_every_marginal_within_the_tolerance(long seed)
    {
        var rule = RedundancyLabelRule.Create(8, 4, 0.05, new Rng(seed));
        Assert.Equal(1.0, rule.Marginal.Sum(), 12);
        foreach (var p in rule.Marginal) Assert.InRange(p, 0.24, 0.26);
        for (int v = 0; v < 256; v++) Assert.Equal(1.0, rule.Given(v).ToArray().Sum(), 12);
        for (int i = 0; i < 8; i++)
            Assert.Equal(1.0, Math.Sqrt(Enumerable.Range(0, 4).Sum(j => rule.Weights[i * 4 + j] * rule.Weights[i * 4 + j])), 12);
    }

    [Fact]
    public void Without_balancing_the_zero_pattern_is_uniform_and_low_temperature_is_nearly_deterministic()
    {
        var rule = RedundancyLabelRule.Create(8, 4, 0.05, new Rng(2), maxSteps: 0);
        // v = 0 gives all-zero logits: q(y|0) = 1/C exactly.
        foreach (var q in rule.Given(0)) Assert.Equal(0.25, q, 15);
        // v = all ones, T = 0.05: the largest column sum of W wins with probability close to 1.
        var w = rule.Weights;
        int best = Enumerable.Range(0, 4).MaxBy(j => Enumerable.Range(0, 8).Sum(i => w[i * 4 + j]));
        Assert.True(rule.Given(255)[best] > 0.5, $"q(best|1…1) = {rule.Given(255)[best]}");
    }

    [Theory]
    [InlineData(8, 8, 0, 0)]
    [InlineData(0, 0, 4, 4)]
    [InlineData(3, 3, 2, 3)]
    [InlineData(7, 7, 0, 1)]
    public void Relevant_bits_split_uniqueness_as_floor_half_and_rest(int r, int shared, int u1, int u2)
    {
        var bits = RelevantBits.Draw(r, 8, 4, new Rng(1));
        Assert.Equal((shared, u1, u2), (bits.Shared.Length, bits.Unique1.Length, bits.Unique2.Length));
        Assert.Equal(8 - r, bits.Uniqueness);
        Assert.Equal(bits.Shared.Length, bits.Shared.Distinct().Count());
        Assert.All(bits.Shared, i => Assert.InRange(i, 0, 7));
        Assert.All(bits.Unique1.Concat(bits.Unique2), i => Assert.InRange(i, 0, 3));
    }

    [Fact]
    public void Pattern_reads_the_chosen_bits_in_order()
    {
        var bits = new RelevantBits(1, Shared: [2], Unique1: [0], Unique2: [3]);
        // latent: shared bit 2 set (bit 2), unique1 bit 0 clear (bit 8), unique2 bit 3 set (bit 12 + 3 = 15).
        int latent = 1 << 2 | 1 << 15;
        Assert.Equal(0b101, bits.PatternOf(latent, 8, 4));
    }

    [Fact]
    public void Both_modalities_carry_the_same_shared_bits_and_their_own_unique_bits()
    {
        var gen = new MultimodalRedundancy(Paper, new Rng(4));
        var latent = gen.SampleLatent(64);
        var labels = gen.SampleLabels(latent, 4);
        var x1 = gen.Modality(1, latent, labels, null, "m1");
        var x2 = gen.Modality(2, latent, labels, null, "m2");
        for (int i = 0; i < 64; i++)
        {
            var a = x1.Features.SliceSpan(i); var b = x2.Features.SliceSpan(i);
            for (int j = 0; j < 8; j++) Assert.Equal(a[j], b[j]);
            for (int j = 0; j < 4; j++)
            {
                Assert.Equal(latent[i] >> (8 + j) & 1, (int)a[8 + j]);
                Assert.Equal(latent[i] >> (12 + j) & 1, (int)b[8 + j]);
            }
        }
    }

    [Fact]
    public void Components_have_their_own_streams()
    {
        var a = new MultimodalRedundancy(Paper, new Rng(9));
        var b = new MultimodalRedundancy(Paper, new Rng(9));
        // Drawing φ at one depth, labels at some R or the latent first does not shift any other component.
        b.Heterogeneity(5); b.SampleLabels(b.SampleLatent(10), 2);
        var la = a.SampleLatent(100); var lb = b.SampleLatent(100);
        Assert.Equal(la, lb);
        Assert.Equal(a.SampleLabels(la, 6), b.SampleLabels(lb, 6));
        Assert.Equal(a.Rule.Weights, b.Rule.Weights);
        Assert.Equal(a.Relevant(3).Shared, b.Relevant(3).Shared);
        var xa = a.Modality(2, la, new int[100], 2, "a").Features.ToDoubles();
        var xb = b.Modality(2, lb, new int[100], 2, "b").Features.ToDoubles();
        Assert.Equal(xa, xb);
        // A different seed changes them.
        Assert.NotEqual(a.Rule.Weights, new MultimodalRedundancy(Paper, new Rng(10)).Rule.Weights);
    }

    [Fact]
    public void Sampled_labels_follow_the_balanced_rule()
    {
        var gen = new MultimodalRedundancy(Paper, new Rng(11));
        var latent = gen.SampleLatent(40000);
        var labels = gen.SampleLabels(latent, 8);
        for (int c = 0; c < 4; c++)
            Assert.InRange(labels.Count(y => y == c) / 40000.0, 0.23, 0.27);
    }

    [Fact]
    public void Heterogeneity_of_depth_zero_is_affine_and_deeper_maps_are_not()
    {
        var rng = new Rng(12);
        var x = Enumerable.Range(0, 12).Select(_ => rng.Normal()).ToArray();
        var y = Enumerable.Range(0, 12).Select(_ => rng.Normal()).ToArray();
        double Defect(HeterogeneityMap map)
        {
            // φ affine ⇔ φ(x + y) + φ(0) = φ(x) + φ(y).
            var sum = x.Zip(y, (a, b) => a + b).ToArray();
            var fs = new double[12]; var f0 = new double[12]; var fx = new double[12]; var fy = new double[12];
            map.Apply(sum, fs); map.Apply(new double[12], f0); map.Apply(x, fx); map.Apply(y, fy);
            return Enumerable.Range(0, 12).Max(i => Math.Abs(fs[i] + f0[i] - fx[i] - fy[i]));
        }
        Assert.True(Defect(HeterogeneityMap.Create(12, 0, new Rng(1))) < 1e-12);
        Assert.True(Defect(HeterogeneityMap.Create(12, 2, new Rng(1))) > 1e-3);
    }
}
