using System.Buffers.Binary;
using Noether.Runs;
using Noether.Tensors;
using Xunit;

namespace Noether.Tests.Probes;

/// <summary>NPY read/write: hand-built files of both header versions and every malformed case.</summary>
public class NpyTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("noether-npy-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Build(int version, string dict, byte[] data, string magic = "\u0093NUMPY") =>
        NpyBytes.Build(version, dict, data, magic, align: 16);

    private static byte[] Doubles(params double[] v)
    {
        var b = new byte[v.Length * 8];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteDoubleLittleEndian(b.AsSpan(i * 8), v[i]);
        return b;
    }

    private static byte[] Floats(params float[] v)
    {
        var b = new byte[v.Length * 4];
        for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(i * 4), v[i]);
        return b;
    }

    private string Save(string name, byte[] bytes)
    {
        var p = Path.Combine(_dir, name);
        File.WriteAllBytes(p, bytes);
        return p;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Reads_Float64_HandBuilt_BothHeaderVersions(int version)
    {
        var p = Save("a.npy", Build(version, "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }", Doubles(1, 2, 3, 4, 5, -6.5)));
        var t = Npy.ReadDouble(p);
        Assert.Equal(new[] { 2, 3 }, t.Shape);
        Assert.Equal(-6.5, t[1, 2]);
        Assert.Equal(2.0, t[0, 1]);
    }

    [Fact]
    public void Reads_Float32_AsDoubles()
    {
        var p = Save("f.npy", Build(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 1), }", Floats(0.5f, -1.25f, 3f)));
        var t = Npy.ReadDouble(p);
        Assert.Equal(new[] { 3, 1 }, t.Shape);
        Assert.Equal(new[] { 0.5, -1.25, 3.0 }, t.ToDoubles());
    }

    [Fact]
    public void WriteThenRead_RoundTripsExactly_AndHeaderIs64Aligned()
    {
        var rng = new Rng(1);
        var t = new Tensor<double>(7, 5);
        rng.FillNormal(t.Span, 0, 1);
        var p = Path.Combine(_dir, "rt.npy");
        Npy.Write(p, t);
        var bytes = File.ReadAllBytes(p);
        var header = Npy.ParseHeader(p, bytes);
        Assert.Equal(0, header.DataOffset % 64);
        Assert.Equal(1, header.Version);
        Assert.Equal(t.ToDoubles(), Npy.ReadDouble(p).ToDoubles());

        var f = new Tensor<float>(4);
        rng.FillNormal(f.Span, 0, 1);
        Npy.Write(p, f);
        Assert.Equal("<f4", Npy.ParseHeader(p, File.ReadAllBytes(p)).Descr);
        Assert.Equal(f.ReadOnlySpan.ToArray(), Npy.ReadFloat(p).ReadOnlySpan.ToArray());
    }

    [Theory]
    [InlineData("magic", "bad magic")]
    [InlineData("dtype", "unsupported dtype '<c16'")]
    [InlineData("trailing", "56 bytes of data after the header, expected 48")]
    [InlineData("truncated", "40 bytes of data after the header, expected 48")]
    [InlineData("version", "unsupported format version 4")]
    [InlineData("header", "malformed header")]
    public void MalformedFiles_RaiseOneLineErrorNamingTheFile(string kind, string expected)
    {
        var ok = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
        byte[] bytes = kind switch
        {
            "magic" => Build(1, ok, Doubles(1, 2, 3, 4, 5, 6), magic: "\u0093NUMPX"),
            "dtype" => Build(1, "{'descr': '<c16', 'fortran_order': False, 'shape': (2, 3), }", Doubles(1, 2, 3, 4, 5, 6)),
            "trailing" => Build(1, ok, Doubles(1, 2, 3, 4, 5, 6, 7)),
            "truncated" => Build(1, ok, Doubles(1, 2, 3, 4, 5)),
            "version" => Build(4, ok, Doubles(1, 2, 3, 4, 5, 6)),
            _ => Build(1, "{'descr': '<f8', 'shape': (2, 3), }", Doubles(1, 2, 3, 4, 5, 6)),
        };
        var p = Save(kind + ".npy", bytes);
        var ex = Assert.Throws<NpyFormatException>(() => Npy.ReadDouble(p));
        Assert.Contains(p, ex.Message);
        Assert.Contains(expected, ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }
}
