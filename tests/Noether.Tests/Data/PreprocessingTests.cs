using FsCheck;
using FsCheck.Xunit;
using Noether.Data;
using Noether.Tensors;
using Xunit;

namespace Noether.Tests.Data;

public sealed class PreprocessingTests
{
    /// <summary>n examples with d features; label i mod k; feature j of example i is i + 10·j (+ offset).</summary>
    private static Dataset Synthetic(int n, int k = 3, int d = 2, ValueRange? range = null)
    {
        var f = new Tensor<double>(n, d);
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) f[i, j] = i + 10.0 * j;
        return new Dataset("synthetic", f, Enumerable.Range(0, n).Select(i => i % k).ToArray(), k, rawRange: range);
    }

    [Property(MaxTest = 60)]
    public void Splits_are_disjoint_cover_everything_and_reproducible(PositiveInt size, int seed, bool stratified)
    {
        int n = 1 + size.Get % 300;
        var data = Synthetic(n, k: 1 + Math.Abs(seed % 5));
        var a = Splits.Indices(data, 0.2, 0.1, new Rng(seed), stratified);
        var b = Splits.Indices(data, 0.2, 0.1, new Rng(seed), stratified);
        var all = a.Train.Concat(a.Validation).Concat(a.Test).OrderBy(i => i).ToArray();
        Assert.Equal(Enumerable.Range(0, n).ToArray(), all);
        Assert.Equal(a.Train, b.Train);
        Assert.Equal(a.Validation, b.Validation);
        Assert.Equal(a.Test, b.Test);
    }

    [Fact]
    public void Split_depends_on_seed_and_keeps_proportions()
    {
        var data = Synthetic(1000, k: 4);
        var a = Splits.Indices(data, 0.2, 0.1, new Rng(1));
        var b = Splits.Indices(data, 0.2, 0.1, new Rng(2));
        Assert.NotEqual(a.Validation, b.Validation);
        Assert.Equal(200, a.Validation.Length);
        Assert.Equal(100, a.Test.Length);
        Assert.Equal(700, a.Train.Length);
        foreach (var part in new[] { a.Train, a.Validation, a.Test })
        {
            var counts = data.Subset(part).ClassCounts();
            Assert.True(counts.Max() - counts.Min() <= 1);
        }
        // Draws on another stream of the same run seed do not move the split.
        var run = new Rng(1);
        run.Child("init").NextDouble();
        Assert.Equal(a.Validation, Splits.Indices(data, 0.2, 0.1, run).Validation);
    }

    [Fact]
    public void Split_fractions_are_validated()
    {
        var data = Synthetic(10);
        OneLineMessage.Throws(() => Splits.Indices(data, 0.7, 0.5, new Rng(1)), "validation 0.7 + test 0.5", "expected at most 1");
        OneLineMessage.Throws(() => Splits.Indices(data, -0.1, 0, new Rng(1)), "validation fraction is -0.1", "expected a number in [0, 1]");
    }

    [Fact]
    public void Standardisation_statistics_come_from_train_only()
    {
        var data = Synthetic(100);
        var split = Splits.TrainValidationTest(data, 0.25, 0.25, new Rng(5));
        var scaler = FeatureScaler.Standardize(split.Train);
        var train = split.Train.Features.ToDoubles();
        double mean0 = Enumerable.Range(0, split.Train.Count).Average(i => split.Train.Features[i, 0]);
        double var0 = Enumerable.Range(0, split.Train.Count).Average(i => Math.Pow(split.Train.Features[i, 0] - mean0, 2));
        Assert.Equal(mean0, scaler.Shift[0], 10);
        Assert.Equal(Math.Sqrt(var0), scaler.Scale[0], 10);

        var t = scaler.Apply(split.Train);
        for (int j = 0; j < 2; j++)
        {
            var col = Enumerable.Range(0, t.Count).Select(i => t.Features[i, j]).ToArray();
            Assert.Equal(0, col.Average(), 10);
            Assert.Equal(1, Math.Sqrt(col.Average(v => v * v)), 10);
        }
        // The test set is mapped with the train statistics: its own mean is not zero in general.
        var test = scaler.Apply(split.Test);
        double expected = (split.Test.Features[0, 1] - scaler.Shift[1]) / scaler.Scale[1];
        Assert.Equal(expected, test.Features[0, 1], 12);
        double wholeMean = Enumerable.Range(0, data.Count).Average(i => data.Features[i, 0]);
        Assert.NotEqual(wholeMean, scaler.Shift[0]);
    }

    [Fact]
    public void Constant_feature_is_centred_not_divided()
    {
        var f = Tensor<double>.FromDoubles([3, 1, 3, 2, 3, 3], 3, 2);
        var data = new Dataset("c", f, [0, 1, 0], 2);
        var scaled = FeatureScaler.Standardize(data).Apply(data);
        Assert.All(Enumerable.Range(0, 3), i => Assert.Equal(0, scaled.Features[i, 0]));
        Assert.True(scaled.Features.ToDoubles().All(double.IsFinite));
    }

    [Fact]
    public void Unit_range_uses_the_format_range_or_the_train_min_max()
    {
        var bytes = Synthetic(10, range: new ValueRange(0, 255));
        var s = FeatureScaler.UnitRange(bytes).Apply(bytes);
        Assert.Equal(19 / 255.0, s.Features[9, 1], 12);
        Assert.Equal(new ValueRange(0, 1), s.RawRange);

        var free = Synthetic(10);
        var u = FeatureScaler.UnitRange(free).Apply(free);
        Assert.Equal(0, u.Features.ToDoubles().Min());
        Assert.Equal(1, u.Features.ToDoubles().Max(), 12);
        OneLineMessage.Throws(() => FeatureScaler.UnitRange(free).Apply(Synthetic(4, d: 3)), "3 features", "expected 2");
    }

    [Fact]
    public void Class_subset_relabels_in_the_given_order()
    {
        var data = Synthetic(30, k: 5);
        var sub = ClassSubset.Select(data, [3, 1]);
        Assert.Equal(2, sub.ClassCount);
        Assert.Equal(12, sub.Count);
        for (int i = 0; i < sub.Count; i++)
        {
            int original = (int)sub.Features[i, 0] % 5;
            Assert.Equal(original == 3 ? 0 : 1, sub.Labels[i]);
        }
        OneLineMessage.Throws(() => ClassSubset.Select(data, [1, 7]), "class 7", "expected classes in 0..4");
        OneLineMessage.Throws(() => ClassSubset.Select(data, [1, 1]), "class 1 given twice");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(50)]
    [InlineData(99)]
    public void Stratified_subsample_has_exactly_n_and_the_class_shares(int n)
    {
        var data = Synthetic(100, k: 3);
        var idx = Subsample.Indices(data, n, new Rng(3));
        Assert.Equal(n, idx.Length);
        Assert.Equal(n, idx.Distinct().Count());
        var counts = data.Subset(idx).ClassCounts();
        Assert.True(counts.Max() - counts.Min() <= 1);
        Assert.Equal(idx, Subsample.Indices(data, n, new Rng(3)));
        Assert.Equal(n, Subsample.Take(data, n, new Rng(4), stratified: false).Count);
    }

    [Fact]
    public void Subsample_larger_than_data_is_an_error()
    {
        OneLineMessage.Throws(() => Subsample.Indices(Synthetic(10), 11, new Rng(1)), "n = 11", "expected 0..10");
    }

    [Fact]
    public void One_hot_subset_float_and_flatten()
    {
        var data = Synthetic(6, k: 3, d: 4);
        var oh = data.OneHot();
        Assert.Equal([6, 3], oh.Shape);
        Assert.Equal(1.0, oh[4, 1]);
        Assert.Equal(6.0, oh.ToDoubles().Sum());
        Assert.Equal(1f, data.OneHot<float>()[5, 2]);

        var sub = data.Subset([5, 0, 5]);
        Assert.Equal([2, 0, 2], sub.Labels);
        Assert.Equal(data.Features[5, 3], sub.Features[2, 3]);
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset([6]));

        var f = data.ToFloat();
        Assert.Equal([6, 4], f.Shape);
        Assert.Equal(35f, f[5, 3]);

        var images = new Dataset("img", new Tensor<double>(2, 12), [0, 1], 2, new ImageShape(3, 2, 2));
        Assert.Equal([2, 3, 2, 2], images.AsImages().Shape);
        Assert.Null(images.Flatten().Image);
        Assert.Throws<InvalidOperationException>(() => images.Flatten().AsImages());
    }
}
