using System.Buffers.Binary;
using System.IO.Compression;
using Noether.Runs;

namespace Noether.Tests.Probes;

/// <summary>
/// Reading what NumPy writes: every numeric dtype in both byte orders, C and Fortran order, N-d shapes
/// and .npz archives. The files are encoded here byte by byte as NumPy's format specification
/// (numpy.lib.format) describes, so no Python is needed.
/// </summary>
public class NpyInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("noether-npy-interop-").FullName;
    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static byte[] Encode(string descr, bool fortran, int[] shape, byte[] data, int version = 1) =>
        NpyBytes.Build(version, NpyBytes.Dict(descr, shape, fortran), data);

    /// <summary>The bytes of <paramref name="values"/> as dtype kind/size in the given byte order.</summary>
    private static byte[] Elements(char kind, int size, bool little, double[] values)
    {
        var b = new byte[values.Length * size];
        for (int i = 0; i < values.Length; i++)
        {
            var s = b.AsSpan(i * size, size);
            double v = values[i];
            switch (kind, size)
            {
                case ('f', 2): if (little) BinaryPrimitives.WriteHalfLittleEndian(s, (Half)v); else BinaryPrimitives.WriteHalfBigEndian(s, (Half)v); break;
                case ('f', 4): if (little) BinaryPrimitives.WriteSingleLittleEndian(s, (float)v); else BinaryPrimitives.WriteSingleBigEndian(s, (float)v); break;
                case ('f', 8): if (little) BinaryPrimitives.WriteDoubleLittleEndian(s, v); else BinaryPrimitives.WriteDoubleBigEndian(s, v); break;
                case ('i', 1): s[0] = (byte)(sbyte)v; break;
                case ('i', 2): if (little) BinaryPrimitives.WriteInt16LittleEndian(s, (short)v); else BinaryPrimitives.WriteInt16BigEndian(s, (short)v); break;
                case ('i', 4): if (little) BinaryPrimitives.WriteInt32LittleEndian(s, (int)v); else BinaryPrimitives.WriteInt32BigEndian(s, (int)v); break;
                case ('i', 8): if (little) BinaryPrimitives.WriteInt64LittleEndian(s, (long)v); else BinaryPrimitives.WriteInt64BigEndian(s, (long)v); break;
                case ('u', 1) or ('b', 1): s[0] = (byte)v; break;
                case ('u', 2): if (little) BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)v); else BinaryPrimitives.WriteUInt16BigEndian(s, (ushort)v); break;
                case ('u', 4): if (little) BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)v); else BinaryPrimitives.WriteUInt32BigEndian(s, (uint)v); break;
                case ('u', 8): if (little) BinaryPrimitives.WriteUInt64LittleEndian(s, (ulong)v); else BinaryPrimitives.WriteUInt64BigEndian(s, (ulong)v); break;
            }
        }
        return b;
    }

    /// <summary>The 2×3 matrix [[a, b, c], [d, e, f]] in storage order: rows one after another (C) or columns (Fortran).</summary>
    private static double[] Storage(double[,] m, bool fortran)
    {
        var list = new List<double>();
        if (fortran) { for (int j = 0; j < m.GetLength(1); j++) for (int i = 0; i < m.GetLength(0); i++) list.Add(m[i, j]); }
        else { for (int i = 0; i < m.GetLength(0); i++) for (int j = 0; j < m.GetLength(1); j++) list.Add(m[i, j]); }
        return [.. list];
    }

    public static TheoryData<string, bool> DtypesAndOrders()
    {
        var data = new TheoryData<string, bool>();
        foreach (var t in new[] { "f2", "f4", "f8", "i1", "i2", "i4", "i8", "u1", "u2", "u4", "u8" })
            foreach (var order in t[1] == '1' ? new[] { "|", "<", ">" } : ["<", ">"])
                foreach (var fortran in new[] { false, true })
                    data.Add(order + t, fortran);
        data.Add("|b1", false);
        data.Add("=f8", true);
        return data;
    }

    [Theory]
    [MemberData(nameof(DtypesAndOrders))]
    public void Reads_every_numeric_dtype_in_both_byte_orders_and_both_memory_orders(string descr, bool fortran)
    {
        char kind = descr[1];
        int size = descr[2] - '0';
        bool little = descr[0] != '>' && (descr[0] != '=' || BitConverter.IsLittleEndian);
        double[,] m = kind switch
        {
            'b' => new double[,] { { 1, 0, 1 }, { 0, 0, 1 } },
            'u' => new double[,] { { 0, 1, 2 }, { 100, 127, 255 } },
            'i' => new double[,] { { -128, -1, 0 }, { 1, 64, 127 } },
            _ => new double[,] { { -1.5, 0, 0.25 }, { 2, 1024, -65504 } },
        };
        string p = Path.Combine(_dir, "a.npy");
        File.WriteAllBytes(p, Encode(descr, fortran, [2, 3], Elements(kind, size, little, Storage(m, fortran))));
        var t = Npy.ReadDouble(p);
        Assert.Equal(new[] { 2, 3 }, t.Shape);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                Assert.Equal(m[i, j], t[i, j]);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_three_dimensional_array_keeps_its_shape_and_element_positions(bool fortran)
    {
        int[] shape = [2, 3, 4];
        // value = 100 i + 10 j + k, stored with the last index fastest (C) or the first (Fortran).
        var values = new List<double>();
        if (fortran) { for (int k = 0; k < 4; k++) for (int j = 0; j < 3; j++) for (int i = 0; i < 2; i++) values.Add(100 * i + 10 * j + k); }
        else { for (int i = 0; i < 2; i++) for (int j = 0; j < 3; j++) for (int k = 0; k < 4; k++) values.Add(100 * i + 10 * j + k); }
        string p = Path.Combine(_dir, "c.npy");
        File.WriteAllBytes(p, Encode("<i4", fortran, shape, Elements('i', 4, true, [.. values]), version: 2));
        var t = Npy.ReadDouble(p);
        Assert.Equal(shape, t.Shape);
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 3; j++)
                for (int k = 0; k < 4; k++)
                    Assert.Equal(100 * i + 10 * j + k, t.ReadOnlySpan[(i * 3 + j) * 4 + k]);
    }

    [Fact]
    public void Large_unsigned_and_signed_64_bit_values_convert_to_the_nearest_double()
    {
        string p = Path.Combine(_dir, "u8.npy");
        var data = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(data, ulong.MaxValue);
        BinaryPrimitives.WriteInt64BigEndian(data.AsSpan(8), long.MinValue);
        File.WriteAllBytes(p, Encode("<u8", false, [1], data[..8]));
        Assert.Equal((double)ulong.MaxValue, Npy.ReadDouble(p)[0]);
        File.WriteAllBytes(p, Encode(">i8", false, [1], data[8..]));
        Assert.Equal((double)long.MinValue, Npy.ReadDouble(p)[0]);
    }

    [Theory]
    [InlineData(CompressionLevel.NoCompression)]
    [InlineData(CompressionLevel.Optimal)]
    public void Npz_archives_give_their_named_arrays(CompressionLevel level)
    {
        string p = Path.Combine(_dir, "x.npz");
        using (var zip = new ZipArchive(File.Create(p), ZipArchiveMode.Create))
        {
            void Add(string name, byte[] npy) { using var s = zip.CreateEntry(name, level).Open(); s.Write(npy); }
            Add("feats.npy", Encode("<f4", false, [2, 2], Elements('f', 4, true, [1, 2, 3, 4])));
            Add("labels.npy", Encode("<i8", false, [3], Elements('i', 8, true, [7, 8, 9])));
        }
        var all = Npz.ReadAll<double>(p);
        Assert.Equal(new[] { "feats", "labels" }, all.Select(a => a.Name));
        Assert.Equal(new[] { 2, 2 }, all[0].Array.Shape);
        Assert.Equal(new[] { 7.0, 8, 9 }, Npz.Read<double>(p, "labels").ToDoubles());
        var e = Assert.Throws<NpyFormatException>(() => Npz.Read<double>(p, null));
        Assert.Contains("feats, labels", e.Message);
    }
}
