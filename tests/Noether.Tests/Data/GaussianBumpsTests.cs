using Noether.Data;
using Noether.Tensors;

namespace Noether.Tests.Data;

/// <summary>Gaussian-bump images, codes and ID/OOD splits of docs/experiments/compositional.md#data.</summary>
public class GaussianBumpsTests
{
    [Fact]
    public void Bump_peaks_at_its_position_with_row_y_and_column_x()
    {
        var bumps = new GaussianBumps(8, 1.0);
        var img = new double[64];
        bumps.Render(5, 2, img);
        Assert.Equal(1.0, img[2 * 8 + 5], 15);
        Assert.Equal(Math.Exp(-0.5), img[2 * 8 + 4], 15);
        Assert.Equal(Math.Exp(-1.0), img[3 * 8 + 4], 15);
        var inverted = new double[64];
        new GaussianBumps(8, 1.0, Inverted: true).Render(5, 2, inverted);
        for (int i = 0; i < 64; i++) Assert.Equal(1 - img[i], inverted[i], 15);
    }

    [Fact]
    public void Codes_are_disentangled()
    {
        var bumps = new GaussianBumps(6, 1.5);
        var code = new double[12];
        bumps.Encode(4, 1, BumpCode.OneHot, code);
        Assert.Equal([0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0], code);
        bumps.Encode(4, 1, BumpCode.Population, code);
        Assert.Equal(1.0, code[4], 15);
        Assert.Equal(Math.Exp(-1 / 4.5), code[3], 15);
        Assert.Equal(1.0, code[6 + 1], 15);
        Assert.Throws<ArgumentException>(() => bumps.Encode(1.5, 1, BumpCode.OneHot, code));
    }

    [Fact]
    public void Blank_baseline_of_an_interior_bump_is_the_lattice_sum_over_the_pixels()
    {
        // Σ_ij exp(−(i² + j²)/σ²) = (Σ_i exp(−i²/σ²))², ≈ πσ² (0.0040 for N = 28, σ = 1).
        var bumps = new GaussianBumps(28, 1.0);
        double theta = Enumerable.Range(-14, 29).Sum(i => Math.Exp(-(double)i * i));
        Assert.Equal(theta * theta / 784, bumps.BlankMse([(14, 14)]), 12);
        Assert.Equal(0.0040, bumps.BlankMse([(14, 14)]), 4);
        // Inverting the image does not change what a blank prediction misses.
        Assert.Equal(bumps.BlankMse([(14, 14)]), new GaussianBumps(28, 1.0, Inverted: true).BlankMse([(14, 14)]), 15);
    }

    [Fact]
    public void Corner_split_of_the_reduced_reproduction()
    {
        // The quick grid (docs/experiments/compositional.md#data): N = 16, ID = x < 6 or y < 6 (156 cells), OOD = the 10×10 corner, blank OOD MSE 1.172e-2.
        var split = BumpHoldout.Corner(16, 6);
        Assert.Equal(156, split.InDistribution.Length);
        Assert.Equal(100, split.OutOfDistribution.Length);
        Assert.All(split.OutOfDistribution, c => Assert.True(c.X >= 6 && c.Y >= 6));
        // Every single x and y value is seen in training; their combinations in the corner are not.
        Assert.Equal(16, split.InDistribution.Select(c => c.X).Distinct().Count());
        Assert.Equal(16, split.InDistribution.Select(c => c.Y).Distinct().Count());
        Assert.Equal(1.172e-2, new GaussianBumps(16, 1.0).BlankMse(split.OutOfDistribution), 5);
    }

    [Fact]
    public void Square_holdout_of_the_depth_experiment()
    {
        var split = BumpHoldout.CentredSquare(28, 6, 22);
        Assert.Equal(17 * 17, split.OutOfDistribution.Length);
        Assert.Equal(784 - 289, split.InDistribution.Length);
        Assert.True(split.IsHeldOut(14, 14));
        Assert.False(split.IsHeldOut(5, 14));
    }

    [Fact]
    public void Batch_stacks_codes_and_images()
    {
        var bumps = new GaussianBumps(4, 1.0);
        var (codes, images) = bumps.Batch<float>([(0, 1), (3, 2)], BumpCode.OneHot);
        Assert.Equal(new[] { 2, 8 }, codes.Shape);
        Assert.Equal(new[] { 2, 16 }, images.Shape);
        Assert.Equal(1f, codes[1, 3]);
        Assert.Equal(1f, codes[1, 4 + 2]);
        Assert.Equal(1f, images[1, 2 * 4 + 3]);
    }
}
