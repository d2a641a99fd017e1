import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { ApiOkResponse, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ErrorResponse } from '@pcn/common';
import { AuthService } from './auth.service';
import { LoginDto, RefreshDto, TokenPairResponse } from './dto/auth.dto';
import { Authenticated, Public } from './guards/access.decorators';
import { LocalAuthGuard } from './guards/local-auth.guard';
import { CurrentUser } from './guards/current-user.decorator';
import { Principal } from './principal';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  /** Sign in with email and password; returns a short-lived access token and a one-use refresh token. */
  @Public()
  @UseGuards(LocalAuthGuard)
  @Post('login')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiUnauthorizedResponse({ type: ErrorResponse })
  login(@Body() _body: LoginDto, @CurrentUser() user: Principal): Promise<TokenPairResponse> {
    return this.auth.issueTokens(user);
  }

  /** Exchange a refresh token for a new pair. The old refresh token stops working. */
  @Public()
  @Post('refresh')
  @HttpCode(200)
  @ApiOkResponse({ type: TokenPairResponse })
  @ApiUnauthorizedResponse({ type: ErrorResponse })
  refresh(@Body() body: RefreshDto): Promise<TokenPairResponse> {
    return this.auth.refresh(body.refreshToken);
  }

  /** Sign out everywhere this refresh token's session reached. */
  @Public()
  @Post('logout')
  @HttpCode(204)
  async logout(@Body() body: RefreshDto): Promise<void> {
    await this.auth.logout(body.refreshToken);
  }

  @Authenticated()
  @Get('me')
  me(@CurrentUser() user: Principal): Principal {
    return user;
  }
}
