using Noether.Data;
using Xunit;

namespace Noether.Tests.Data;

public sealed class SklearnCsvTests : IDisposable
{
    private readonly DataFixtures _f = new();
    public void Dispose() => _f.Dispose();

    [Theory]
    [InlineData("digits.csv.gz", true)]
    [InlineData("digits.csv", false)]
    public void Digits_round_trip(string file, bool gzip)
    {
        var (x, y) = _f.WriteDigits(file, 25, gzip);
        var ds = SklearnCsv.LoadDigits(_f.PathOf(file));
        Assert.Equal(25, ds.Count);
        Assert.Equal(64, ds.FeatureCount);
        Assert.Equal(10, ds.ClassCount);
        Assert.Equal(new ImageShape(1, 8, 8), ds.Image);
        Assert.Equal(new ValueRange(0, 16), ds.RawRange);
        Assert.Equal(y, ds.Labels);
        for (int i = 0; i < 25; i++)
            for (int j = 0; j < 64; j++)
                Assert.Equal(x[i, j], ds.Features[i, j]);
    }

    [Fact]
    public void Iris_round_trip_with_header_and_class_names()
    {
        var (x, y) = _f.WriteIris("iris.csv", 30);
        var ds = SklearnCsv.LoadIris(_f.PathOf("iris.csv"));
        Assert.Equal(30, ds.Count);
        Assert.Equal(4, ds.FeatureCount);
        Assert.Equal(3, ds.ClassCount);
        Assert.Null(ds.Image);
        Assert.Equal(["setosa", "versicolor", "virginica"], ds.ClassNames);
        Assert.Equal(y, ds.Labels);
        for (int i = 0; i < 30; i++)
            for (int j = 0; j < 4; j++)
                Assert.Equal(x[i, j], ds.Features[i, j]);
    }

    [Fact]
    public void Digits_row_with_missing_field()
    {
        _f.WriteDigits("digits.csv", 5, gzip: false);
        var lines = File.ReadAllLines(_f.PathOf("digits.csv"));
        lines[3] = lines[3][(lines[3].IndexOf(',') + 1)..];
        File.WriteAllLines(_f.PathOf("digits.csv"), lines);
        OneLineMessage.Throws(() => SklearnCsv.LoadDigits(_f.PathOf("digits.csv")),
            _f.PathOf("digits.csv"), "line 4 has 64 fields", "expected 65", "python3-sklearn");
    }

    [Fact]
    public void Digits_pixel_out_of_range_and_non_number()
    {
        var row = string.Join(",", Enumerable.Repeat("0", 64));
        string p1 = _f.WriteText("d1.csv", row.Replace("0,0,", "0,17,") + ",3\n");
        OneLineMessage.Throws(() => SklearnCsv.LoadDigits(p1), p1, "line 1 field 2 is 17", "expected a pixel count in 0..16");
        string p2 = _f.WriteText("d2.csv", row + ",3\n" + "x" + row[1..] + ",4\n");
        OneLineMessage.Throws(() => SklearnCsv.LoadDigits(p2), p2, "line 2 field 1 is \"x\"", "expected a finite number");
    }

    [Fact]
    public void Iris_bad_label_bad_header_and_count_mismatch()
    {
        string bad = _f.WriteText("iris-label.csv", "2,4,a,b,c\n1,2,3,4,0\n1,2,3,4,3\n");
        OneLineMessage.Throws(() => SklearnCsv.LoadIris(bad), bad, "line 3 field 5 is \"3\"", "expected a class label in 0..2");
        string header = _f.WriteText("iris-header.csv", "sepal,width\n1,2,3,4,0\n");
        OneLineMessage.Throws(() => SklearnCsv.LoadIris(header), header, "header line 1", "expected \"n,d,class names\"");
        string count = _f.WriteText("iris-count.csv", "3,4,a,b,c\n1,2,3,4,0\n1,2,3,4,1\n");
        OneLineMessage.Throws(() => SklearnCsv.LoadIris(count), count, "2 data lines", "expected 3");
        string fields = _f.WriteText("iris-fields.csv", "2,4,a,b,c\n1,2,3,4,0\n1,2,3,1\n");
        OneLineMessage.Throws(() => SklearnCsv.LoadIris(fields), fields, "line 3 has 4 fields", "expected 5");
    }

    [Fact]
    public void Missing_csv_says_how_to_get_it()
    {
        string path = _f.PathOf("iris.csv");
        OneLineMessage.Throws(() => SklearnCsv.LoadIris(path), path, "file not found", "apt-get install python3-sklearn");
    }
}
