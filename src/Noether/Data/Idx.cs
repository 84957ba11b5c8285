using System.Buffers.Binary;
using Noether.Tensors;

namespace Noether.Data;

/// <summary>
/// Reader for the IDX format of MNIST and Fashion-MNIST (LeCun et al.), plain or gzip-compressed
/// (detected by the magic bytes 1f 8b, not the file name). A file is a 4-byte magic
/// 00 00 type rank, then rank big-endian int32 dimensions, then the values in row-major order.
/// Only unsigned bytes (type 0x08) are used by these data sets: images have magic 0x00000803
/// (count, rows, columns) and labels 0x00000801 (count). Every check failure is a one-line
/// <see cref="DataException"/> naming the file, what was found and what was expected.
/// </summary>
public static class Idx
{
    /// <summary>Magic number of an IDX file of unsigned-byte images [count, rows, columns].</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>Magic number of an IDX file of unsigned-byte labels [count].</summary>
    public const int LabelsMagic = 0x00000801;

    private const string DefaultHowToGet = "point the loader at an IDX file (e.g. apt-get install dataset-fashion-mnist)";

    /// <summary>Unsigned-byte images read from an IDX file: pixels in row-major [count, rows, columns].</summary>
    public sealed record Images(byte[] Pixels, int Count, int Rows, int Columns);

    /// <summary>Reads an images file (magic 0x00000803).</summary>
    public static Images ReadImages(string path, string howToGet = DefaultHowToGet)
    {
        var (dims, data) = ReadUBytes(path, ImagesMagic, "images", howToGet);
        return new Images(data, dims[0], dims[1], dims[2]);
    }

    /// <summary>Reads a labels file (magic 0x00000801); each label must be below <paramref name="classCount"/>.</summary>
    public static byte[] ReadLabels(string path, int classCount, string howToGet = DefaultHowToGet)
    {
        var (_, data) = ReadUBytes(path, LabelsMagic, "labels", howToGet);
        for (int i = 0; i < data.Length; i++)
            if (data[i] >= classCount)
                throw new DataException($"{path}: label {data[i]} at index {i}, expected labels in 0..{classCount - 1}; {howToGet}", path);
        return data;
    }

    /// <summary>
    /// Loads an images file and its labels file as one <see cref="Dataset"/> with raw pixel values 0..255
    /// (use <see cref="FeatureScaler"/> to scale). The two files must hold the same number of examples.
    /// </summary>
    public static Dataset Load(string imagesPath, string labelsPath, string name, int classCount,
                               IReadOnlyList<string>? classNames = null, string howToGet = DefaultHowToGet)
    {
        var images = ReadImages(imagesPath, howToGet);
        var labels = ReadLabels(labelsPath, classCount, howToGet);
        if (labels.Length != images.Count)
            throw new DataException($"{labelsPath}: {labels.Length} labels but {imagesPath} has {images.Count} images; expected equal counts (files from the same release); {howToGet}", labelsPath);
        int d = images.Rows * images.Columns;
        var features = new Tensor<double>(images.Count, d);
        var dst = features.Span;
        var src = images.Pixels;
        for (int i = 0; i < src.Length; i++) dst[i] = src[i];
        var y = new int[labels.Length];
        for (int i = 0; i < y.Length; i++) y[i] = labels[i];
        return new Dataset(name, features, y, classCount, new ImageShape(1, images.Rows, images.Columns), classNames, new ValueRange(0, 255));
    }

    /// <summary>
    /// Reads an unsigned-byte IDX file with the expected magic; returns its dimensions and values. The
    /// header's sizes are checked against the file (and, for gzip, the most it can inflate to) before the
    /// values are allocated, and exactly that many bytes are inflated, so a forged header cannot exhaust memory.
    /// </summary>
    private static (int[] Dims, byte[] Data) ReadUBytes(string path, int expectedMagic, string what, string howToGet)
    {
        var (stream, maxLength, compressed) = DataFile.Open(path, howToGet);
        using (stream)
        {
            int rank = expectedMagic & 0xff;
            int header = 4 + 4 * rank;
            var head = new byte[header];
            int got = 0;
            try { got = stream.ReadAtLeast(head, header, throwOnEndOfStream: false); }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                throw new DataException($"{path}: starts with the gzip magic 1f 8b but the gzip stream is corrupt ({e.Message.Split('\n')[0]}); expected a complete gzip file; {howToGet}", path, e);
            }
            if (got < 4)
                throw new DataException($"{path}: {got} bytes, expected at least a 4-byte IDX magic number; {howToGet}", path);
            int magic = BinaryPrimitives.ReadInt32BigEndian(head);
            if (magic != expectedMagic)
                throw new DataException($"{path}: magic number 0x{magic:x8}, expected 0x{expectedMagic:x8} (IDX unsigned-byte {what}{Describe(magic)}); {howToGet}", path);
            if (got < header)
                throw new DataException($"{path}: truncated header of {got} bytes, expected {header} (magic and {rank} dimensions); {howToGet}", path);
            var dims = new int[rank];
            long expected = 1;
            for (int k = 0; k < rank; k++)
            {
                dims[k] = BinaryPrimitives.ReadInt32BigEndian(head.AsSpan(4 + 4 * k));
                bool positive = k == 0 ? dims[k] >= 0 : dims[k] > 0;
                if (!positive)
                    throw new DataException($"{path}: dimension {k} is {dims[k]}, expected a positive size; {howToGet}", path);
                expected *= dims[k];
            }
            string dimsText = string.Join(",", dims);
            if (expected > Array.MaxLength || expected > Noether.Runs.MemoryLimit.Bytes)
                throw new DataException($"{path}: dimensions [{dimsText}] give {expected} values, more than fit in memory as one array; {howToGet}", path);
            if (compressed ? expected > maxLength : expected != maxLength - header)
            {
                long found = compressed ? maxLength : maxLength - header;
                throw new DataException($"{path}: {(compressed ? "can inflate to at most " : "")}{found} bytes of {what} data, expected {expected} for dimensions [{dimsText}]{(found < expected ? " (file truncated)" : " (trailing bytes)")}; {howToGet}", path);
            }
            var data = new byte[expected];
            DataFile.ReadExactly(stream, data, path, $"{what} data", howToGet);
            if (!DataFile.AtEnd(stream, path, howToGet))
                throw new DataException($"{path}: more than the {expected} bytes of {what} data its dimensions [{dimsText}] give (trailing bytes); {howToGet}", path);
            return (dims, data);
        }
    }

    private static string Describe(int magic) => magic switch
    {
        ImagesMagic => "; this file holds images",
        LabelsMagic => "; this file holds labels",
        _ when (magic >> 16) != 0 => "; the file does not start with two zero bytes, so it is not IDX",
        _ => ""
    };
}
