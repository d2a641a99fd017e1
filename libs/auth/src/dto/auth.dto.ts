import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, Matches, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @IsEmail({}, { message: 'email must be an email address' })
  @MaxLength(254)
  email: string;

  @IsString()
  @MinLength(1, { message: 'password is required' })
  @MaxLength(200)
  password: string;
}

export class RefreshDto {
  /** The refresh token from the last sign-in or refresh. Each one works once. */
  @IsString()
  @Matches(/^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/, { message: 'refreshToken is not a refresh token this service issued' })
  refreshToken: string;
}

export class TokenPairResponse {
  @ApiProperty() accessToken: string;
  @ApiProperty({ example: 900 }) accessTokenExpiresIn: number;
  @ApiProperty() refreshToken: string;
  @ApiProperty() refreshTokenExpiresAt: string;
  @ApiProperty() tokenType: 'Bearer';
}
