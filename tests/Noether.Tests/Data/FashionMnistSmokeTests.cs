using Noether.Data;
using Xunit;

namespace Noether.Tests.Data;

/// <summary>
/// A fact that runs only where Debian's dataset-fashion-mnist is installed; elsewhere xunit reports
/// it skipped with the reason. CI installs the package, so there it always runs.
/// </summary>
public sealed class FashionMnistInstalledFactAttribute : FactAttribute
{
    public const string Directory = "/usr/share/datasets/fashion-mnist";

    public FashionMnistInstalledFactAttribute()
    {
        if (!System.IO.Directory.Exists(Directory))
            Skip = $"{Directory} not found: install the real data with 'apt-get install dataset-fashion-mnist'";
    }
}

[Trait("Category", "RealData")]
public sealed class FashionMnistSmokeTests
{
    [FashionMnistInstalledFact]
    public void Real_fashion_mnist_loads_from_the_default_search_path()
    {
        var data = DataSources.Load("fashion-mnist");
        Assert.Equal(FashionMnistInstalledFactAttribute.Directory, data.Directory);
        Assert.NotNull(data.Test);
        foreach (var (set, n) in new[] { (data.Train, 60000), (data.Test!, 10000) })
        {
            Assert.Equal(n, set.Count);
            Assert.Equal(new ImageShape(1, 28, 28), set.Image);
            Assert.Equal(784, set.FeatureCount);
            Assert.Equal(10, set.ClassCount);
            // Fashion-MNIST is balanced: 6000 and 1000 images per class.
            Assert.All(set.ClassCounts(), c => Assert.Equal(n / 10, c));
            var pixels = set.Features.ReadOnlySpan;
            double max = 0;
            foreach (double v in pixels) max = Math.Max(max, v);
            Assert.Equal(255, max);
        }
    }
}
