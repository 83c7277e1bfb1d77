package io.memsession.serializer.kryo;

/** How one kind of object is laid out in Kryo 4's stream: the read half of one of the serializers msm had. */
interface Kryo4Format {

    Object read(Kryo4Stream in, Class<?> type);
}
