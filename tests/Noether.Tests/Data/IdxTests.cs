using Noether.Data;
using Xunit;

namespace Noether.Tests.Data;

public sealed class IdxTests : IDisposable
{
    private readonly DataFixtures _f = new();
    public void Dispose() => _f.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Images_and_labels_round_trip_plain_and_gzip(bool gzip)
    {
        var pixels = DataFixtures.RandomPixels(36, 5, 4);
        var labels = DataFixtures.CyclicLabels(36, 10);
        string xi = _f.WriteImages("img", pixels, 36, 5, 4, gzip);
        string yi = _f.WriteLabels("lab", labels, gzip);

        var ds = Idx.Load(xi, yi, "fixture", 10);

        Assert.Equal(36, ds.Count);
        Assert.Equal(20, ds.FeatureCount);
        Assert.Equal(new ImageShape(1, 5, 4), ds.Image);
        Assert.Equal(new ValueRange(0, 255), ds.RawRange);
        Assert.Equal(pixels.Select(p => (double)p).ToArray(), ds.Features.ToDoubles());
        Assert.Equal(labels.Select(b => (int)b).ToArray(), ds.Labels);
        // Row 7, pixel (row 2, column 3) sits at 7·20 + 2·4 + 3 in the file.
        Assert.Equal([36, 1, 5, 4], ds.AsImages().Shape);
        Assert.Equal(pixels[7 * 20 + 2 * 4 + 3], ds.Features[7, 2 * 4 + 3]);
    }

    [Fact]
    public void Gzip_is_detected_by_content_not_name()
    {
        string path = _f.WriteImages("plain-name-but-gzip", DataFixtures.RandomPixels(3, 2, 2), 3, 2, 2, gzip: true);
        Assert.Equal(3, Idx.ReadImages(path).Count);
    }

    [Fact]
    public void Bad_magic_names_file_found_and_expected()
    {
        string path = _f.Write("bad", DataFixtures.Idx(0x0000_0c03, [2, 2, 2], new byte[8]));
        OneLineMessage.Throws(() => Idx.ReadImages(path), path, "magic number 0x00000c03", "expected 0x00000803");
    }

    [Fact]
    public void Labels_file_given_as_images_says_so()
    {
        string path = _f.WriteLabels("labels-not-images", DataFixtures.CyclicLabels(5, 3), gzip: false);
        OneLineMessage.Throws(() => Idx.ReadImages(path), path, "0x00000801", "expected 0x00000803", "holds labels");
    }

    [Fact]
    public void Text_file_is_not_idx()
    {
        string path = _f.WriteText("notes.txt", "hello, this is not IDX");
        OneLineMessage.Throws(() => Idx.ReadLabels(path, 10), path, "expected 0x00000801", "not IDX");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Truncated_data_gives_counts(bool gzip)
    {
        var full = DataFixtures.Idx(0x803, [10, 3, 3], DataFixtures.RandomPixels(10, 3, 3));
        string path = _f.Write("trunc", full[..^5], gzip);
        OneLineMessage.Throws(() => Idx.ReadImages(path), path, "85 bytes of images data", "expected 90", "truncated");
    }

    [Fact]
    public void Truncated_gzip_stream_is_reported()
    {
        var gz = DataFixtures.Gzip(DataFixtures.Idx(0x803, [30, 4, 4], DataFixtures.RandomPixels(30, 4, 4)));
        string path = _f.Write("cut.gz", gz[..(gz.Length / 2)]);
        // .NET may report a cut deflate stream as corrupt, or end it early; either way it is one line naming the file.
        OneLineMessage.Throws(() => Idx.ReadImages(path), path, "expected");
    }

    [Fact]
    public void Truncated_header_is_reported()
    {
        string path = _f.Write("head", DataFixtures.Idx(0x803, [10, 3, 3], [])[..10]);
        OneLineMessage.Throws(() => Idx.ReadImages(path), path, "truncated header of 10 bytes", "expected 16");
    }

    [Fact]
    public void Trailing_bytes_are_reported()
    {
        string path = _f.Write("long", DataFixtures.Idx(0x801, [4], [1, 2, 3, 4, 5]));
        OneLineMessage.Throws(() => Idx.ReadLabels(path, 10), path, "5 bytes of labels data", "expected 4", "trailing");
    }

    [Fact]
    public void Zero_dimension_is_reported()
    {
        string path = _f.Write("zero-rows", DataFixtures.Idx(0x803, [3, 0, 4], []));
        OneLineMessage.Throws(() => Idx.ReadImages(path), path, "dimension 1 is 0", "expected a positive size");
    }

    [Fact]
    public void Count_mismatch_between_images_and_labels()
    {
        string xi = _f.WriteImages("img.gz", DataFixtures.RandomPixels(12, 2, 2), 12, 2, 2, gzip: true);
        string yi = _f.WriteLabels("lab.gz", DataFixtures.CyclicLabels(11, 10), gzip: true);
        OneLineMessage.Throws(() => Idx.Load(xi, yi, "x", 10), yi, "11 labels", xi, "12 images", "expected equal counts");
    }

    [Fact]
    public void Label_beyond_class_count()
    {
        string yi = _f.WriteLabels("lab", [0, 1, 12], gzip: false);
        OneLineMessage.Throws(() => Idx.ReadLabels(yi, 10), yi, "label 12 at index 2", "expected labels in 0..9");
    }

    [Fact]
    public void Missing_file_names_path_and_how_to_get()
    {
        string path = _f.PathOf("absent-images.gz");
        OneLineMessage.Throws(() => Idx.ReadImages(path, "apt-get install dataset-fashion-mnist"), path, "file not found", "apt-get install dataset-fashion-mnist");
    }
}
