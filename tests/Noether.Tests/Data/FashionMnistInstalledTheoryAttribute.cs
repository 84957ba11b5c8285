using Xunit;

namespace Noether.Tests.Data;

/// <summary>The theory form of <see cref="FashionMnistInstalledFactAttribute"/>: skipped, with the reason, where the real data is not installed.</summary>
public sealed class FashionMnistInstalledTheoryAttribute : TheoryAttribute
{
    public FashionMnistInstalledTheoryAttribute()
    {
        if (!System.IO.Directory.Exists(FashionMnistInstalledFactAttribute.Directory))
            Skip = $"{FashionMnistInstalledFactAttribute.Directory} not found: install the real data with 'apt-get install dataset-fashion-mnist'";
    }
}
